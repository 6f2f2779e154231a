import AgentPortal
import ArgumentParser

/// `haven status`: the agent's overview (registration, last and next backup, protected size, alerts).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the local agent's overview.")

    @OptionGroup var agent: AgentClientOptions

    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false

    func run() throws {
        try runCommand {
            let status: AgentAPI.Status = try agent.client().get("status")
            if json {
                Output.json(status)
                return
            }
            if let registration = status.registration {
                Output.line("registered as \(registration.machineName) with vault \(registration.vaultName) at \(registration.vaultAddress)")
            } else {
                Output.line("not registered with a vault; register in the agent's portal")
            }
            if let last = status.lastBackup {
                Output.line("last backup: \(last.stateLabel.lowercased()), job \(last.id) (\(last.itemName)), " + (last.finishedAt ?? last.createdAt)
                    + (last.failureReason.map { ": \($0)" } ?? ""))
            } else {
                Output.line("last backup: none yet")
            }
            Output.line("next backup: \(status.nextBackup ?? "none scheduled")")
            Output.line("protected: \(Output.size(status.protectedBytes))")
            for alert in status.alerts { Output.line("\(alert.severity): \(alert.message)") }
        }
    }
}
