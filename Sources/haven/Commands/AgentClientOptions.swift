/// AgentClientOptions owns how a command finds the local agent's API: --agent URL and --agent-state DIR, and
/// whether a repository command talks to the agent at all (neither --repo nor --vault given).
import ArgumentParser
import Foundation

/// Where the agent listens and where its API token is.
struct AgentClientOptions: ParsableArguments {
    static let defaultAddress = "http://127.0.0.1:8442"

    @Option(name: .customLong("agent"), help: ArgumentHelp(
        "Without --repo/--vault: the agent's address (or set HAVEN_AGENT; default \(defaultAddress)).", valueName: "url"))
    var address: String?

    @Option(name: .customLong("agent-state"), help: ArgumentHelp(
        "Without --repo/--vault: the agent's state directory holding api-token (or set HAVEN_AGENT_STATE; default /var/lib/haven/agent).",
        valueName: "dir"))
    var stateDirectory: String?

    /// A client for the agent these options name.
    func client() throws -> AgentClient {
        let environment = ProcessInfo.processInfo.environment
        let address = [address, environment["HAVEN_AGENT"]].compactMap { $0 }.first { !$0.isEmpty } ?? Self.defaultAddress
        let state = AgentCommand.stateDirectory(stateDirectory)
        return try AgentClient(address: address, tokenPath: state + "/api-token")
    }
}

extension GlobalOptions {
    /// Whether the command goes to the local agent: no repository (--repo, HAVEN_REPOSITORY) and no vault (--vault, HAVEN_VAULT).
    var usesAgent: Bool {
        if let repo, !repo.isEmpty { return false }
        if vaultStateDirectory != nil { return false }
        if let env = ProcessInfo.processInfo.environment["HAVEN_REPOSITORY"], !env.isEmpty { return false }
        return true
    }

    /// With the agent, the other machine's passphrase as text: --password-file, else HAVEN_PASSWORD.
    func agentPassphrase() throws -> String {
        String(decoding: try passphrase(), as: UTF8.self)
    }
}
