/// The Jobs pages: running jobs with live progress, the history, one job's details and report, cancel.
import Agent
import Foundation
import HTTPServer
import Web

extension AgentPages {
    /// Jobs per page of the history.
    static let jobsPageSize = 25

    func jobsPage(_ request: WebRequest) throws -> Response {
        let now = request.now
        let offset = max(0, Int(request.query("offset") ?? "") ?? 0)
        let fetched = try serviceCall { try service.jobs(limit: Self.jobsPageSize + 1, offset: offset) }
        let page = Array(fetched.prefix(Self.jobsPageSize))
        let active = offset == 0 ? page.filter { !$0.state.isFinished } : []
        let history = page.filter { $0.state.isFinished }
        return try request.page("agent/jobs", title: "Jobs", [
            "registered": registration() != nil,
            "active": active.map { job in
                AgentFormat.progress(job, service.progress(of: job.id), report: nil, now: now)
            },
            "hasActive": !active.isEmpty,
            "history": history.map { AgentFormat.jobRow($0, now: now) }, "hasHistory": !history.isEmpty,
            "empty": page.isEmpty && offset == 0,
            "hasOlder": fetched.count > Self.jobsPageSize, "older": "/jobs?offset=\(offset + Self.jobsPageSize)",
            "hasNewer": offset > 0, "newer": "/jobs?offset=\(max(0, offset - Self.jobsPageSize))",
        ])
    }

    func jobPage(_ request: WebRequest) throws -> Response {
        let now = request.now
        let job = try job(request)
        let report = try serviceCall { try service.report(of: job.id) }
        var view = AgentFormat.progress(job, service.progress(of: job.id), report: report, now: now)
        view["hasReport"] = report != nil
        if let report {
            view["report"] = Self.reportView(report, kind: job.kind)
        }
        let parameters = parameterRows(job)
        view["parameters"] = parameters
        view["hasParameters"] = !parameters.isEmpty
        return try request.page("agent/job", title: "\(job.kind == .backup ? "Backup" : "Restore") job \(job.id)", ["job": view])
    }

    /// The progress part of a job's page alone, for refresh.js; the last one carries `data-refresh-final`.
    func jobProgressFragment(_ request: WebRequest) throws -> Response {
        let job = try job(request)
        let report = job.state.isFinished ? try serviceCall { try service.report(of: job.id) } : nil
        let view = AgentFormat.progress(job, service.progress(of: job.id), report: report, now: request.now)
        return .html(try fragments.render("agent/partials/progress", view))
    }

    func cancelJob(_ request: WebRequest) throws -> Response {
        let job = try job(request)
        guard !job.state.isFinished else {
            return try request.redirect(to: "/jobs/\(job.id)", flash: .info("Job \(job.id) has already finished (\(job.state.label.lowercased()))."))
        }
        try serviceCall { try service.cancel(job.id) }
        return try request.redirect(to: "/jobs/\(job.id)", flash: .info(
            "Cancelling job \(job.id). It stops at the next safe point; what was uploaded stays and the next backup reuses it."))
    }

    private func job(_ request: WebRequest) throws -> JobRecord {
        guard let id = Int64(try request.parameter("id")), id > 0 else {
            throw WebError.notFound("there is no job \(String(reflecting: request.parameters["id"] ?? "")); pick one from the Jobs page")
        }
        return try serviceCall { try service.job(id) }
    }

    static func reportView(_ report: JobReport, kind: JobRecord.Kind) -> [String: Any] {
        let optimized = report.mode == "optimized"
        return [
            "mode": report.mode.map { $0 == "optimized" ? "Optimized" : $0 == "offline seed" ? "Offline seed" : "Unoptimized" } ?? "",
            "hasMode": report.mode != nil, "seed": report.seed.map(Self.seedView) as Any, "hasSeed": report.seed != nil,
            "modeBadge": optimized ? "ok" : "warning",
            "modeReason": report.modeReason ?? (optimized ? "Only files whose size, time or inode changed since the last point were read." : ""),
            "point": report.recoveryPoint ?? "", "hasPoint": report.recoveryPoint != nil,
            "pointsInTime": (report.pointInTime ?? []).map { ["path": $0.path, "method": $0.summary, "snapshot": $0.reason == nil] },
            "hasPointsInTime": !(report.pointInTime ?? []).isEmpty,
            "isBackup": kind == .backup,
            "filesNew": AgentFormat.count(report.filesNew), "filesChanged": AgentFormat.count(report.filesChanged),
            "filesUnchanged": AgentFormat.count(report.filesUnchanged), "filesRestored": AgentFormat.count(report.filesRestored),
            "bytesProtected": Format.size(Int64(clamping: report.bytesProtected)), "bytesNew": Format.size(Int64(clamping: report.bytesNew)),
            "bytesUploaded": Format.size(Int64(clamping: report.bytesUploaded)),
            "bytesRestored": Format.size(Int64(clamping: report.bytesRestored)),
            "filesSkipped": AgentFormat.count(report.filesSkipped ?? 0), "hasSkipped": (report.filesSkipped ?? 0) > 0,
            "copies": (report.copies ?? []).prefix(50).map { $0 }, "copyCount": AgentFormat.count(report.copies?.count ?? 0),
            "hasCopies": !(report.copies ?? []).isEmpty, "moreCopies": max(0, (report.copies?.count ?? 0) - 50),
            "hasMoreCopies": (report.copies?.count ?? 0) > 50,
            "duration": Format.duration(.milliseconds(Int64(report.durationSeconds * 1000))),
            "warnings": report.warnings.prefix(500).map { warning -> [String: String] in
                guard let colon = warning.range(of: ": ") else { return ["path": "", "message": warning] }
                return ["path": String(warning[..<colon.lowerBound]), "message": String(warning[colon.upperBound...])]
            },
            "warningCount": report.warnings.count, "hasWarnings": !report.warnings.isEmpty,
            "moreWarnings": max(0, report.warnings.count - 500), "hasMoreWarnings": report.warnings.count > 500,
        ]
    }

    /// Where an offline seed job wrote the initial backup, and what to do next.
    static func seedView(_ seed: SeedReport) -> [String: Any] {
        ["folder": seed.folder, "manifest": seed.manifest, "objects": AgentFormat.count(seed.objects),
         "bytes": Format.size(seed.bytes), "point": seed.recoveryPoint, "nextSteps": seed.nextSteps]
    }

    /// The job's inputs in words: retain-until for a backup; source, point, paths, target and conflict policy for a restore.
    func parameterRows(_ job: JobRecord) -> [[String: String]] {
        let data = Data(job.parameters.utf8)
        switch job.kind {
        case .backup:
            guard let inputs = try? JSONDecoder().decode(BackupParameters.self, from: data), let retain = inputs.retainUntil else { return [] }
            return [["label": "Retain until", "value": ISO8601DateFormatter().date(from: retain).map { Format.date($0) } ?? retain]]
        case .restore:
            guard let inputs = try? JSONDecoder().decode(RestoreParameters.self, from: data) else { return [] }
            let source = inputs.sourceMachine.map { id in
                ((try? service.machines())?.first { $0.id == id }?.name ?? id) + " (another server)"
            } ?? "This server"
            var target = switch inputs.target {
            case .original: "The original location"
            case .alternate(let folder): folder
            }
            if let volume = inputs.sourceRoot {
                target = inputs.target == .original ? "Its original mount point, \(volume)" : "\(target) (the volume's root)"
            }
            let conflict = ["copy": "Create a copy beside it", "overwrite": "Overwrite it", "skip": "Skip it"][inputs.conflict]
            return [
                ["label": "From", "value": source], ["label": "Recovery point", "value": inputs.recoveryPoint],
                inputs.sourceRoot.map { ["label": "Volume", "value": inputs.paths.isEmpty ? "The whole volume \($0)"
                    : "\(inputs.paths.joined(separator: ", ")), from the volume \($0)"] }
                    ?? ["label": "Files and folders", "value": inputs.paths.isEmpty ? "Everything in the recovery point" : inputs.paths.joined(separator: ", ")],
                ["label": "Where to", "value": target], ["label": "If a file exists", "value": conflict ?? inputs.conflict],
                ["label": "Permissions", "value": inputs.restorePermissions ? "Restored as backed up" : "Not restored"],
            ]
        }
    }
}
