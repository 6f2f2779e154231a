import AgentPortal
import ArgumentParser

/// `haven policy`: the agent's backup goal (show) and its retention (set).
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Show the local agent's backup policy or change its retention.",
        subcommands: [Show.self, SetRetention.self])

    /// `haven policy show`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the sources, exclusions, schedule and retention.")

        @OptionGroup var agent: AgentClientOptions

        @Flag(name: .long, help: "Print machine-readable JSON.")
        var json = false

        func run() throws {
            try runCommand {
                let state: AgentAPI.GoalState = try agent.client().get("goal")
                if json {
                    Output.json(state)
                    return
                }
                guard let goal = state.goal else {
                    Output.line("no backup is scheduled yet; schedule one in the agent's portal")
                    return
                }
                PolicyCommand.describe(goal).forEach(Output.line)
            }
        }
    }

    /// `haven policy set`.
    struct SetRetention: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Change how many daily, weekly, monthly and yearly recovery points the vault keeps.",
            discussion: "Numbers left out stay as they are. Keeping fewer points than before needs a security PIN from the vault portal.")

        @OptionGroup var agent: AgentClientOptions

        @Option(name: .long, help: "Daily recovery points to keep.") var daily: Int?
        @Option(name: .long, help: "Weekly recovery points to keep.") var weekly: Int?
        @Option(name: .long, help: "Monthly recovery points to keep.") var monthly: Int?
        @Option(name: .long, help: "Yearly recovery points to keep.") var yearly: Int?

        @Option(name: .long, help: "The security PIN from the vault portal (needed to keep fewer points).")
        var securityPin: String?

        @Flag(name: .long, help: "Print machine-readable JSON.")
        var json = false

        func validate() throws {
            guard daily != nil || weekly != nil || monthly != nil || yearly != nil else {
                throw ValidationError("give at least one of --daily, --weekly, --monthly, --yearly")
            }
            for value in [daily, weekly, monthly, yearly].compactMap({ $0 }) where !(0...9999).contains(value) {
                throw ValidationError("keep between 0 and 9999 recovery points, not \(value)")
            }
        }

        func run() throws {
            try runCommand {
                let client = try agent.client()
                let current: AgentAPI.GoalState = try client.get("goal")
                guard let goal = current.goal else {
                    throw CommandFailure("no backup is scheduled yet, so there is no retention to change; schedule one in the agent's portal")
                }
                let r = goal.retention
                let retention = AgentAPI.Retention(daily: daily ?? r.daily, weekly: weekly ?? r.weekly, monthly: monthly ?? r.monthly,
                                                   yearly: yearly ?? r.yearly)
                let stored: AgentAPI.GoalState = try client.send("PUT", "goal/retention", AgentAPI.RetentionChange(retention, securityPIN: securityPin))
                if json { Output.json(stored) } else if let goal = stored.goal { Output.line(PolicyCommand.retentionLine(goal.retention)) }
            }
        }
    }

    static func describe(_ goal: AgentAPI.Goal) -> [String] {
        var lines: [String] = []
        if !goal.paths.isEmpty { lines.append("files and folders: \(goal.paths.joined(separator: ", "))") }
        if !goal.volumes.isEmpty { lines.append("volumes: \(goal.volumes.joined(separator: ", "))") }
        if goal.systemState { lines.append("system state: yes") }
        for rule in goal.exclusions {
            lines.append("excluded: " + (rule.wildcard.map { "\($0) in \(rule.folder)" + (rule.subfolders ?? true ? " and its subfolders" : " only") }
                ?? "\(rule.folder) (the folder)"))
        }
        let days = goal.schedule.frequency == "weekly" ? " on \((goal.schedule.days ?? []).joined(separator: ", "))" : ""
        lines.append("schedule: \(goal.schedule.frequency)\(days) at \(goal.schedule.times.joined(separator: ", ")) (\(goal.schedule.timeZone))")
        lines.append(retentionLine(goal.retention))
        lines.append("initial backup: \(goal.initialBackup.mode)" + (goal.initialBackup.stagingFolder.map { " to \($0)" } ?? ""))
        return lines
    }

    static func retentionLine(_ r: AgentAPI.Retention) -> String {
        "retention: \(r.daily) daily, \(r.weekly) weekly, \(r.monthly) monthly, \(r.yearly) yearly recovery points"
    }
}
