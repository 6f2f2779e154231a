/// AgentClientRecovery owns `haven recovery-points` and `haven restore` without --repo/--vault: through the agent,
/// for this machine or, with --machine and its passphrase, another one of the vault.
import AgentPortal
import ArgumentParser
import Foundation

extension RecoveryPointsCommand {
    func runThroughAgent() throws {
        try runCommand {
            let points = try AgentClientRecovery.points(try agent.client(), global: global)
            if global.json {
                Output.json(AgentAPI.RecoveryPoints(recoveryPoints: points))
                return
            }
            guard !points.isEmpty else {
                Output.line("no recovery points yet; `haven backup` backs up now")
                return
            }
            Output.line("ID        Time                 Kind          Size        Item")
            for point in points {
                let time = String(point.time.prefix(19)).replacingOccurrences(of: "T", with: " ")
                Output.line("\(point.id.prefix(8))  \(time)  \(point.itemKind.padding(12))  \(Output.size(UInt64(max(0, point.size))).padding(10))  "
                    + point.itemName + (point.retainUntil.map { " (kept until \($0))" } ?? ""))
            }
            Output.line("\(points.count) recovery point(s)")
        }
    }
}

extension RestoreCommand {
    func runThroughAgent() throws {
        try runCommand {
            let client = try agent.client()
            let points = try AgentClientRecovery.points(client, global: global)
            // With --volume, "latest" is the newest point of a volume.
            let point = try AgentClientRecovery.resolve(recoveryPoint, in: volume && recoveryPoint == "latest"
                ? points.filter { $0.itemKind == "volume" } : points)
            if volume, point.itemKind != "volume" {
                throw CommandFailure("recovery point \(point.id.prefix(8)) is of \(point.itemKind) (\(point.itemName)), not of a volume; "
                    + "`haven recovery-points` shows each point's kind")
            }
            let absolute = target.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
                ?? (volume ? point.itemName : "the original location")
            let body = AgentAPI.RestoreBody(recoveryPoint: point.id, machine: global.machine,
                                            passphrase: global.machine == nil ? nil : try global.agentPassphrase(), paths: include,
                                            target: target == nil ? "original" : absolute, conflict: conflict.rawValue,
                                            restorePermissions: !noPermissions, volume: volume ? true : nil)
            let started: AgentAPI.JobDetail = try client.send("POST", "restores", body)
            guard wait else {
                if global.json { Output.json(started) } else {
                    Output.line("job \(started.job.id): restore of \(volume ? "the volume \(point.itemName) from " : "")recovery point "
                        + "\(point.id.prefix(8)) to \(absolute) \(started.job.stateLabel.lowercased())")
                    Output.line("follow with `haven jobs --job \(started.job.id)`, or run `haven restore --wait`")
                }
                return
            }
            try AgentClientJobs.finish(try AgentClientJobs.follow(client, ids: [started.job.id], quiet: global.json), json: global.json)
        }
    }
}

/// The recovery points of the machine the options name, and resolving "latest" or a prefix among them.
enum AgentClientRecovery {
    static func points(_ client: AgentClient, global: GlobalOptions) throws -> [AgentAPI.RecoveryPoint] {
        let answer: AgentAPI.RecoveryPoints
        if let machine = global.machine {
            let passphrase = try? global.agentPassphrase()
            answer = try client.send("POST", "recovery-points/query", AgentAPI.MachineChoice(machine: machine, passphrase: passphrase))
        } else {
            answer = try client.get("recovery-points")
        }
        return answer.recoveryPoints
    }

    /// An id, a unique prefix of one, or "latest" (the newest point of any item).
    static func resolve(_ text: String, in points: [AgentAPI.RecoveryPoint]) throws -> AgentAPI.RecoveryPoint {
        if text == "latest" {
            guard let newest = points.max(by: { $0.time < $1.time }) else {
                throw CommandFailure("there are no recovery points yet; `haven backup` backs up now", exitCode: .noRepository)
            }
            return newest
        }
        let matches = points.filter { $0.id.hasPrefix(text) }
        guard !text.isEmpty, let first = matches.first else {
            throw CommandFailure("no recovery point \(text); `haven recovery-points` lists them")
        }
        guard matches.count == 1 else { throw CommandFailure("\(text) names \(matches.count) recovery points; give more of the id") }
        return first
    }
}
