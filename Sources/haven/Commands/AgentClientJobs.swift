/// AgentClientJobs owns how the CLI shows the agent's jobs and follows them to the end (--wait).
import AgentPortal
import ArgumentParser
import Foundation
import Glibc

/// Printing and following jobs of the agent.
enum AgentClientJobs {
    /// Follows the jobs until each has finished, printing progress on stderr unless `quiet`; returns their final details.
    /// Each request waits in the agent until its job ends, a second at most (`?wait=1`): the end is seen when it
    /// happens, and progress still comes once a second.
    static func follow(_ client: AgentClient, ids: [Int64], quiet: Bool) throws -> [AgentAPI.JobDetail] {
        var finished: [Int64: AgentAPI.JobDetail] = [:]
        var lastPrinted: [Int64: String] = [:]
        var lastTime = 0.0
        while finished.count < ids.count {
            let round = SystemClock.monotonic()
            for id in ids where finished[id] == nil {
                let detail: AgentAPI.JobDetail = try client.get("jobs/\(id)?wait=1")
                if detail.job.isFinished {
                    finished[id] = detail
                    continue
                }
                let line = progressLine(detail)
                let now = SystemClock.monotonic()
                if !quiet, line != lastPrinted[id], now - lastTime >= 1 {
                    Output.error(line)
                    lastPrinted[id] = line
                    lastTime = now
                }
            }
            // An agent that does not wait (an older one) answers at once: then look four times a second.
            if finished.count < ids.count, SystemClock.monotonic() - round < 0.2 { usleep(250_000) }
        }
        return ids.compactMap { finished[$0] }
    }

    /// The exit status the jobs' results mean: warnings → 3, a failure or cancel → 1.
    static func exitCode(_ details: [AgentAPI.JobDetail]) -> ExitCode? {
        let states = Set(details.map(\.job.state))
        if states.contains("failed") || states.contains("cancelled") { return .failure }
        if states.contains("completed-with-warnings") { return .incomplete }
        return nil
    }

    static func progressLine(_ detail: AgentAPI.JobDetail) -> String {
        let job = detail.job
        guard let progress = detail.progress else { return "job \(job.id): \(job.stateLabel.lowercased())" }
        let percent = progress.fraction.map { String(format: "%.0f%% ", $0 * 100) } ?? ""
        let eta = progress.etaSeconds.map { ", about \(Output.duration($0)) left" } ?? ""
        return "job \(job.id): \(percent)\(progress.filesDone) files, \(Output.size(progress.bytesRead)) read, "
            + "\(Output.size(progress.bytesUploaded)) uploaded\(eta) \(progress.currentPath)"
    }

    /// One job in a line, and its report below it.
    static func describe(_ detail: AgentAPI.JobDetail) -> [String] {
        let job = detail.job
        var lines = ["job \(job.id): \(job.kind) of \(job.itemName) (\(job.itemKind)), \(job.trigger), \(job.stateLabel.lowercased())"
            + (job.failureReason.map { ": \($0)" } ?? "")]
        lines.append("  created \(job.createdAt)" + (job.startedAt.map { ", started \($0)" } ?? "") + (job.finishedAt.map { ", finished \($0)" } ?? ""))
        if detail.progress != nil { lines.append("  " + progressLine(detail)) }
        guard let report = detail.report else { return lines }
        if let mode = report.mode { lines.append("  mode: \(mode)" + (report.modeReason.map { " (\($0))" } ?? "")) }
        if let point = report.recoveryPoint { lines.append("  recovery point: \(point)") }
        lines += (report.pointInTime ?? []).map { "  read \($0.path) from: \($0.method)" + ($0.reason.map { ": \($0)" } ?? "") }
        if job.kind == "restore" {
            lines.append("  restored \(report.filesRestored) files, \(Output.size(report.bytesRestored)) in \(Output.duration(report.durationSeconds))")
        } else {
            lines.append("  files: \(report.filesNew) new, \(report.filesChanged) changed, \(report.filesUnchanged) unchanged; "
                + "protected \(Output.size(report.bytesProtected)), new \(Output.size(report.bytesNew)), "
                + "uploaded \(Output.size(report.bytesUploaded)) in \(Output.duration(report.durationSeconds))")
        }
        if let seed = report.seed {
            lines.append("  offline seed: \(seed.objects) objects, \(Output.size(UInt64(clamping: seed.bytes))) in \(seed.folder)")
            lines.append("  next: \(seed.nextSteps)")
        }
        lines += report.warnings.map { "  warning: \($0)" }
        return lines
    }

    /// The jobs' final details, as JSON or as lines, and the exit status they mean.
    static func finish(_ details: [AgentAPI.JobDetail], json: Bool) throws {
        if json {
            struct Answer: Encodable { let jobs: [AgentAPI.JobDetail] }
            Output.json(Answer(jobs: details))
        } else {
            for detail in details { describe(detail).forEach(Output.line) }
        }
        if let code = exitCode(details) { throw code }
    }
}
