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
        let parameters = Self.parameterRows(job)
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
            "mode": report.mode.map { $0 == "optimized" ? "Optimized" : "Unoptimized" } ?? "", "hasMode": report.mode != nil,
            "modeBadge": optimized ? "ok" : "warning",
            "modeReason": report.modeReason ?? (optimized ? "Only files whose size, time or inode changed since the last point were read." : ""),
            "point": report.recoveryPoint ?? "", "hasPoint": report.recoveryPoint != nil,
            "isBackup": kind == .backup,
            "filesNew": AgentFormat.count(report.filesNew), "filesChanged": AgentFormat.count(report.filesChanged),
            "filesUnchanged": AgentFormat.count(report.filesUnchanged), "filesRestored": AgentFormat.count(report.filesRestored),
            "bytesProtected": Format.size(Int64(clamping: report.bytesProtected)), "bytesNew": Format.size(Int64(clamping: report.bytesNew)),
            "bytesUploaded": Format.size(Int64(clamping: report.bytesUploaded)),
            "bytesRestored": Format.size(Int64(clamping: report.bytesRestored)),
            "duration": Format.duration(.milliseconds(Int64(report.durationSeconds * 1000))),
            "warnings": report.warnings.prefix(500).map { warning -> [String: String] in
                guard let colon = warning.range(of: ": ") else { return ["path": "", "message": warning] }
                return ["path": String(warning[..<colon.lowerBound]), "message": String(warning[colon.upperBound...])]
            },
            "warningCount": report.warnings.count, "hasWarnings": !report.warnings.isEmpty,
            "moreWarnings": max(0, report.warnings.count - 500), "hasMoreWarnings": report.warnings.count > 500,
        ]
    }

    /// The job's inputs in words: retain-until, restore source and target.
    static func parameterRows(_ job: JobRecord) -> [[String: String]] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(job.parameters.utf8)) as? [String: Any] else { return [] }
        var rows: [[String: String]] = []
        func add(_ label: String, _ value: Any?) {
            guard let value, !(value is NSNull) else { return }
            let text = (value as? [Any]).map { $0.map { "\($0)" }.joined(separator: ", ") } ?? "\(value)"
            if !text.isEmpty { rows.append(["label": label, "value": text]) }
        }
        for key in object.keys.sorted() where key != "passphrase" {
            let label = key.unicodeScalars.reduce("") { text, scalar in
                CharacterSet.uppercaseLetters.contains(scalar) ? text + " " + String(scalar).lowercased() : text + String(scalar)
            }
            add(label.prefix(1).uppercased() + label.dropFirst(), object[key])
        }
        return rows
    }
}
