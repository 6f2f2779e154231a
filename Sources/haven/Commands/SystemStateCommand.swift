import AgentPortal
import ArgumentParser
import FileIO
import Foundation

/// `haven system-state`: through the agent, the components of a system-state recovery point (what each holds and how
/// it was collected), or its System State file — one .tar.gz with a manifest and a README for another machine.
struct SystemStateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "system-state",
        abstract: "Show a system-state recovery point's components, or write its System State file (through the agent).")

    @OptionGroup var global: GlobalOptions

    @OptionGroup var agent: AgentClientOptions

    @Argument(help: "The recovery point: an id, a unique prefix, or latest (the newest system-state point).")
    var recoveryPoint = "latest"

    @Option(name: .long, help: ArgumentHelp("Write the System State file (.tar.gz) to this path instead of listing the components.",
                                            valueName: "path"))
    var file: String?

    func run() throws {
        try runCommand {
            guard global.usesAgent else {
                throw CommandFailure("the system state is read through the agent (`haven agent serve`); leave out --repo and --vault")
            }
            let client = try agent.client()
            let points = try AgentClientRecovery.points(client, global: global)
            let point = try AgentClientRecovery.resolve(
                recoveryPoint, in: recoveryPoint == "latest" ? points.filter { $0.itemKind == "system-state" } : points)
            guard point.itemKind == "system-state" else {
                throw CommandFailure("recovery point \(point.id.prefix(8)) is of \(point.itemKind) (\(point.itemName)), not of the "
                    + "system state; `haven recovery-points` shows each point's kind")
            }
            let choice = AgentAPI.MachineChoice(machine: global.machine,
                                                passphrase: global.machine == nil ? nil : try global.agentPassphrase())
            if let file {
                let bytes = try client.download("POST", "recovery-points/\(point.id)/system-state-file", choice)
                let path = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
                do { try FileIO.writeFileAtomically(path, bytes, mode: 0o600) } catch {
                    throw CommandFailure("cannot write the System State file to \(path): \(error)")
                }
                if global.json {
                    struct Written: Encodable { let recoveryPoint: String; let file: String; let bytes: Int }
                    Output.json(Written(recoveryPoint: point.id, file: path, bytes: bytes.count))
                } else {
                    Output.line("wrote the System State file of recovery point \(point.id.prefix(8)) to \(path) (\(Output.size(UInt64(bytes.count))));"
                        + " its README.md says how to apply each component")
                }
                return
            }
            let state: AgentAPI.SystemState = try client.send("POST", "recovery-points/\(point.id)/system-state", choice)
            if global.json {
                Output.json(state)
                return
            }
            Output.line("System state of \(state.hostname) (\(state.os), kernel \(state.kernel)), recovery point \(point.id.prefix(8))")
            Output.line("Component     Status        Files  Size        What")
            for component in state.components {
                Output.line("\(component.id.padding(12))  \(component.status.padding(12))  \(String(component.files).padding(5))  "
                    + "\(Output.size(component.bytes).padding(10))  \(component.title)" + (component.message.map { ": \($0)" } ?? ""))
            }
            Output.line("`haven system-state \(point.id.prefix(8)) --file FILE` writes the System State file for another machine")
        }
    }
}
