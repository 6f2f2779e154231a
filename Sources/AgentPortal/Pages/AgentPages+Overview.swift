/// The Overview page: registration, last and next backup, protected size, alerts and the latest jobs.
import Agent
import Foundation
import HTTPServer
import Web

extension AgentPages {
    func overviewPage(_ request: WebRequest) throws -> Response {
        let now = request.now
        let overview = try serviceCall { try service.overview() }
        guard let registration = overview.registration else {
            return try request.page("agent/overview", title: "Overview", [
                "registered": false, "alerts": alertRows(overview.alerts), "hasAlerts": !overview.alerts.isEmpty,
            ])
        }
        let goal = try serviceCall { try service.goal() }
        let recent = try serviceCall { try service.jobs(limit: 6, offset: 0) }
        let last = overview.lastBackup
        return try request.page("agent/overview", title: "Overview", [
            "registered": true,
            "registration": [
                "vault": registration.vaultName, "vaultId": registration.vaultId, "address": registration.vaultAddress,
                "machine": registration.machineName, "machineId": registration.machineId,
                "since": AgentFormat.time(registration.registeredAt, now: now),
            ],
            "hasLast": last != nil, "last": last.map { AgentFormat.jobRow($0, now: now) } ?? [:],
            "next": AgentFormat.time(overview.nextBackup, now: now, never: goal == nil ? "not scheduled" : "none planned"),
            "protected": Format.size(Int64(clamping: overview.protectedBytes)),
            "hasGoal": goal != nil, "schedule": goal?.schedule.summary ?? "",
            "sources": goal.map { Self.sourceSummary($0) } ?? "",
            "alerts": alertRows(overview.alerts), "hasAlerts": !overview.alerts.isEmpty,
            "jobs": recent.map { AgentFormat.jobRow($0, now: now) }, "hasJobs": !recent.isEmpty,
            "journal": Self.journalCard(overview.journal),
        ])
    }

    /// The Change journal card: whether it watches, and how each item's next backup would run now.
    static func journalCard(_ journal: JournalOverview) -> [String: Any] {
        [
            "running": journal.running, "reason": journal.unavailableReason ?? "", "hasItems": !journal.items.isEmpty,
            "items": journal.items.map { item -> [String: Any] in
                let folders = item.changedDirectories ?? 0
                return [
                    "name": item.name, "slug": item.kind == "volume" ? "volume-" + Self.slug(item.name) : item.kind,
                    "mode": item.optimized ? "Optimized" : "Unoptimized", "badge": item.optimized ? "ok" : "warning",
                    "detail": item.optimized
                        ? "lists the \(folders) folder\(folders == 1 ? "" : "s") changed so far"
                        : item.reason ?? "",
                ]
            },
        ]
    }

    /// A name as an HTML id fragment: letters and digits kept, everything else a hyphen.
    static func slug(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    private func alertRows(_ alerts: [Overview.Alert]) -> [[String: Any]] {
        let order = ["critical": 0, "warning": 1, "info": 2]
        return alerts.sorted { order[$0.severity, default: 3] < order[$1.severity, default: 3] }.map {
            ["severity": $0.severity == "critical" ? "error" : $0.severity, "message": $0.message,
             "title": $0.severity == "critical" ? "Needs attention" : $0.severity == "warning" ? "Warning" : "Note"]
        }
    }

    /// "/srv, /etc and the system state": what the goal protects, in a line.
    static func sourceSummary(_ goal: BackupGoal) -> String {
        var parts = goal.paths + goal.volumes.map { "volume \($0)" }
        if goal.systemState { parts.append("the system state") }
        guard parts.count > 1 else { return parts.first ?? "nothing" }
        let shown = parts.count > 4 ? Array(parts.prefix(3)) + ["\(parts.count - 3) more"] : parts
        return shown.dropLast().joined(separator: ", ") + " and " + shown.last!
    }
}
