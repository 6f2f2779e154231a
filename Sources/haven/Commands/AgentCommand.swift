import ArgumentParser
import Foundation

/// `haven agent`: this machine's side of a vault (registration; the agent service and its portal are another room).
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Register this machine with a vault and run the agent.",
        discussion: """
            The agent's state directory is /var/lib/haven/agent unless --state or HAVEN_AGENT_STATE says otherwise.
            Once registered, the engine commands work on the vault with --vault STATE_DIR (or HAVEN_VAULT).
            """,
        subcommands: [AgentRegisterCommand.self, AgentServeCommand.self])

    /// The state directory: --state, else HAVEN_AGENT_STATE, else /var/lib/haven/agent.
    static func stateDirectory(_ option: String?) -> String {
        if let option, !option.isEmpty { return option }
        if let env = ProcessInfo.processInfo.environment["HAVEN_AGENT_STATE"], !env.isEmpty { return env }
        return "/var/lib/haven/agent"
    }
}
