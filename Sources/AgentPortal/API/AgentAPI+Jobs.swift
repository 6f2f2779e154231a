/// The agent API's job endpoints: back up now, the job list, one job, its progress and report, cancel.
import Agent
import HTTPServer

extension AgentAPI {
    func backUpNow(_ request: HTTPServer.Request) throws -> HTTPServer.Response {
        let body = try Self.decode(BackupRequest.self, from: request, emptyAllowed: true)
        let records = try service.backUpNow(retainUntil: try Self.time(body.retainUntil, field: "retainUntil"))
        return Self.json(JobList(jobs: records.map(Job.init)), status: 202)
    }

    func jobs(_ request: HTTPServer.Request) throws -> HTTPServer.Response {
        let limit = try Self.integer(request, "limit", default: 50, range: 1...500)
        let offset = try Self.integer(request, "offset", default: 0, range: 0...Int(Int32.max))
        return Self.json(JobList(jobs: try service.jobs(limit: limit, offset: offset).map(Job.init)))
    }

    /// With `wait=S` the answer waits until the job has finished, at most S seconds.
    func job(_ id: String, _ request: HTTPServer.Request) throws -> HTTPServer.Response {
        let wait = try Self.integer(request, "wait", default: 0, range: 0...60)
        let id = try Self.jobId(id)
        let record = wait > 0 ? try service.waitForEnd(of: id, seconds: Double(wait)) : try service.job(id)
        return Self.json(JobDetail(job: Job(record), progress: service.progress(of: record.id).map(Progress.init),
                                   report: try service.report(of: record.id).map(Report.init)))
    }

    func progress(_ id: String) throws -> HTTPServer.Response {
        let record = try service.job(try Self.jobId(id))
        return Self.json(ProgressState(state: record.state.rawValue, progress: service.progress(of: record.id).map(Progress.init)))
    }

    func report(_ id: String) throws -> HTTPServer.Response {
        let record = try service.job(try Self.jobId(id))
        return Self.json(ReportState(state: record.state.rawValue, report: try service.report(of: record.id).map(Report.init)))
    }

    func cancel(_ id: String) throws -> HTTPServer.Response {
        let record = try service.job(try Self.jobId(id))
        guard !record.state.isFinished else {
            throw APIError(.conflict, "job \(record.id) has already finished (\(record.state.label.lowercased())); there is nothing to cancel")
        }
        try service.cancel(record.id)
        return Self.json(JobDetail(job: Job(try service.job(record.id)), progress: nil, report: nil), status: 202)
    }

    /// A job id from a path: a positive integer.
    static func jobId(_ text: String) throws -> Int64 {
        guard let id = Int64(text), id > 0 else {
            throw APIError(.invalidRequest, field: "id", "a job id is a positive whole number, not \(String(reflecting: String(text.prefix(32))))")
        }
        return id
    }
}
