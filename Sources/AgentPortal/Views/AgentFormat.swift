/// AgentFormat owns how the agent portal shows its values: times with sort keys, sizes, item kinds, job states and rows.
import Agent
import Foundation
import Web

/// Small view helpers shared by the pages; every value a template shows goes through one of them.
enum AgentFormat {
    /// `{text, full, iso, sort, none}`: "3 hours ago" for the page, the full UTC time for a tooltip, the epoch for sorting.
    static func time(_ date: Date?, now: Date, never: String = "never") -> [String: Any] {
        guard let date else { return ["text": never, "full": "", "iso": "", "sort": "0", "none": true] }
        return ["text": Format.relative(date, now: now), "full": Format.time(date), "iso": iso(date),
                "sort": String(Int64(date.timeIntervalSince1970)), "none": false]
    }

    /// "2026-11-24T10:00:00Z".
    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// `{text, sort}` for a size in bytes.
    static func size(_ bytes: UInt64) -> [String: Any] {
        ["text": Format.size(Int64(clamping: bytes)), "sort": String(bytes)]
    }

    /// "Files and folders", "Volume", "System state".
    static func kind(_ kind: String) -> String {
        switch kind {
        case "files": "Files and folders"
        case "volume": "Volume"
        case "system-state": "System state"
        default: kind
        }
    }

    /// The badge class of a job state.
    static func badge(_ state: JobState) -> String {
        switch state {
        case .queued: "info"
        case .running, .cancelling: "running"
        case .succeeded: "ok"
        case .completedWithWarnings, .cancelled: "warning"
        case .failed: "error"
        }
    }

    /// One job for a table: kind, item, state badge, times, duration.
    static func jobRow(_ job: JobRecord, now: Date) -> [String: Any] {
        let end = job.finishedAt ?? (job.state.isFinished ? nil : now)
        let duration = job.startedAt.flatMap { start in end.map { Format.duration(.seconds(max(0, $0.timeIntervalSince(start)))) } }
        return [
            "id": job.id, "href": "/jobs/\(job.id)", "kind": job.kind == .backup ? "Backup" : "Restore",
            "item": job.itemName, "itemKind": kind(job.itemKind), "hasItemKind": kind(job.itemKind) != job.itemName, "trigger": job.trigger == .scheduled ? "Scheduled" : "Manual",
            "state": job.state.label, "badge": badge(job.state), "finished": job.state.isFinished,
            "active": !job.state.isFinished, "cancellable": job.state == .queued || job.state == .running,
            "created": time(job.createdAt, now: now), "started": time(job.startedAt, now: now, never: "not yet"),
            "ended": time(job.finishedAt, now: now, never: "—"), "duration": duration ?? "—",
            "failure": job.failureReason ?? "", "hasFailure": job.failureReason != nil,
        ]
    }

    /// "12,345": thousands grouped, for counts of files.
    static func count(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (number < 0 ? "-" : "") + grouped
    }

    /// The live figures of a running job, or the final state of a finished one, for the progress fragment.
    static func progress(_ job: JobRecord, _ progress: JobProgress?, report: JobReport?, now: Date) -> [String: Any] {
        var view = jobRow(job, now: now)
        if job.state.isFinished {
            let succeeded = job.state == .succeeded || job.state == .completedWithWarnings
            view["percent"] = succeeded ? 100 : 0
            view["percentText"] = succeeded ? "100%" : job.state.label
            view["hasFigures"] = report != nil
            if let report {
                view["figures"] = job.kind == .backup ? [
                    ["label": "Protected", "value": Format.size(Int64(clamping: report.bytesProtected))],
                    ["label": "New data", "value": Format.size(Int64(clamping: report.bytesNew))],
                    ["label": "Uploaded", "value": Format.size(Int64(clamping: report.bytesUploaded))],
                    ["label": "Duration", "value": Format.duration(.seconds(report.durationSeconds))],
                ] : [
                    ["label": "Files restored", "value": count(report.filesRestored)],
                    ["label": "Restored", "value": Format.size(Int64(clamping: report.bytesRestored))],
                    ["label": "Duration", "value": Format.duration(.seconds(report.durationSeconds))],
                ]
            }
            return view
        }
        guard let progress else {
            view["percent"] = 0
            view["percentText"] = job.state == .queued ? "Waiting to start" : "Starting"
            view["indeterminate"] = true
            return view
        }
        let fraction = progress.fraction.map { min(1, max(0, $0)) }
        view["percent"] = Int(((fraction ?? 0) * 100).rounded(.down))
        view["percentText"] = fraction.map { "\(Int(($0 * 100).rounded(.down)))%" } ?? "Scanning"
        view["indeterminate"] = fraction == nil
        view["hasFigures"] = true
        let rate = ["label": "Rate", "value": Format.rate(bytesPerSecond: progress.bytesPerSecond)]
        let left = ["label": "Time left", "value": progress.eta.map { Format.duration($0) } ?? "estimating"]
        // A restore counts what it wrote (in bytesRead and filesDone); it scans, reads anew and uploads nothing.
        view["figures"] = job.kind == .backup ? [
            ["label": "Files scanned", "value": count(progress.filesScanned)],
            ["label": "Read", "value": Format.size(Int64(clamping: progress.bytesRead))],
            ["label": "New", "value": Format.size(Int64(clamping: progress.bytesNew))],
            ["label": "Uploaded", "value": Format.size(Int64(clamping: progress.bytesUploaded))], rate, left,
        ] : [
            ["label": "Files restored", "value": count(progress.filesDone)],
            ["label": "Restored", "value": Format.size(Int64(clamping: progress.bytesRead))], rate, left,
        ]
        view["currentPath"] = progress.currentPath
        view["hasCurrentPath"] = !progress.currentPath.isEmpty
        return view
    }
}
