/// The Back up now page: what the goal protects, a retain-until date for the new recovery points, and the button.
import Agent
import Foundation
import HTTPServer
import Web

extension AgentPages {
    /// How long a Back up now point is kept by default, as MARS offers: 30 days.
    static let defaultRetainDays = 30

    func backupNowPage(_ request: WebRequest, form: FormValidation? = nil, status: Int = 200) throws -> Response {
        guard registration() != nil else { return try notRegisteredPage(request, title: "Back up now") }
        let goal = try serviceCall { try service.goal() }
        var form = form ?? FormValidation(request.form)
        if form.values["retainUntil"] == nil {
            form.values["retainUntil"] = Format.date(request.now.addingTimeInterval(TimeInterval(Self.defaultRetainDays * 86400)))
        }
        let running = try serviceCall { try service.jobs(limit: 20, offset: 0) }.filter { !$0.state.isFinished && $0.kind == .backup }
        return try request.page("agent/backup", title: "Back up now", [
            "form": form.context, "hasGoal": goal != nil,
            "items": goal?.items.map { ["kind": AgentFormat.kind($0.kind), "name": $0.name] } ?? [],
            "sources": goal.map { Self.sourceSummary($0) } ?? "", "schedule": goal?.schedule.summary ?? "",
            "today": Format.date(request.now), "running": running.map { AgentFormat.jobRow($0, now: request.now) },
            "hasRunning": !running.isEmpty,
        ], status: status)
    }

    func backUpNow(_ request: WebRequest) throws -> Response {
        guard registration() != nil else { return try notRegisteredPage(request, title: "Back up now") }
        var check = FormValidation(request.form)
        var retainUntil: Date?
        if let text = check.values["retainUntil"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            if let day = Self.parseDate(text) {
                retainUntil = day.addingTimeInterval(86400 - 1)
                check.expect(retainUntil! > request.now, "retainUntil", "Choose a day after today: the point would expire at once.")
            } else {
                check.fail("retainUntil", "Enter the date as YYYY-MM-DD, such as \(Format.date(request.now.addingTimeInterval(30 * 86400))).")
            }
        }
        guard check.isValid else { return try backupNowPage(request, form: check, status: 422) }
        let jobs: [JobRecord]
        do {
            jobs = try service.backUpNow(retainUntil: retainUntil)
        } catch let error as AgentError where error.code == .busy || error.code == .invalidInput || error.code == .notRegistered {
            check.failForm(Self.sentence(error.message))
            return try backupNowPage(request, form: check, status: 409)
        }
        guard let first = jobs.first else {
            return try request.redirect(to: "/jobs", flash: .info("Nothing to back up: the schedule names no items."))
        }
        let until = retainUntil.map { " Its recovery points are kept until \(Format.date($0))." } ?? ""
        if jobs.count == 1 {
            return try request.redirect(to: "/jobs/\(first.id)", flash: .success("Backup started.\(until)"))
        }
        return try request.redirect(to: "/jobs", flash: .success("\(jobs.count) backups started, one per item.\(until)"))
    }

    /// Midnight UTC of a "YYYY-MM-DD" date, or nil.
    static func parseDate(_ text: String) -> Date? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return date
    }
}
