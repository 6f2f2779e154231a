/// The Schedule backup page: sources picked in a folder browser, volumes, system state, exclusions, schedule, retention.
import Agent
import Foundation
import HTTPServer
import Web

extension AgentPages {
    func schedulePage(_ request: WebRequest) throws -> Response {
        guard registration() != nil else { return try notRegisteredPage(request, title: "Schedule backup") }
        let goal = try serviceCall { try service.goal() }
        let form = GoalForm(goal: goal, timeZone: TimeZone.current.identifier)
        let start = request.query("browse").flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/"
        return try schedule(request, form: form, browse: start, saved: goal != nil)
    }

    /// Saves the goal, or (when a folder button of the browser was pressed) shows the form again browsing there.
    func saveSchedule(_ request: WebRequest) throws -> Response {
        guard registration() != nil else { return try notRegisteredPage(request, title: "Schedule backup") }
        var form = GoalForm(request.form)
        if let folder = request.form["open"], folder.hasPrefix("/") {
            return try schedule(request, form: form, browse: folder, saved: false)
        }
        let browse = request.form["browse"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/"
        if request.form["action"] == "add" {
            return try schedule(request, form: form, browse: browse, saved: false)
        }
        guard let goal = form.goal() else { return try schedule(request, form: form, browse: browse, saved: false, status: 422) }
        let pin = form.check.values["pin"]?.trimmingCharacters(in: .whitespaces)
        do {
            try service.saveGoal(goal, securityPIN: pin?.isEmpty == false ? pin : nil)
        } catch let error as AgentError where error.code == .needsPIN {
            form.check.fail("pin", Self.sentence(error.message))
            form.check.forget("pin")
            return try schedule(request, form: form, browse: browse, saved: false, needsPIN: true, status: 422)
        } catch let error as AgentError where error.code == .invalidInput || error.code == .wrongPassphrase {
            Self.record(error, in: &form.check, fields: ["sources", "exclusions", "retention", "pin", "stagingFolder"])
            form.check.forget("pin")
            return try schedule(request, form: form, browse: browse, saved: false, needsPIN: error.field == "pin", status: 422)
        }
        return try request.redirect(to: "/overview", flash: .success(
            "Backup schedule saved: \(goal.schedule.summary), protecting \(Self.sourceSummary(goal)). Use Back up now to make the first recovery point now."))
    }

    private func schedule(_ request: WebRequest, form: GoalForm, browse: String, saved: Bool, needsPIN: Bool = false,
                          status: Int = 200) throws -> Response {
        var form = form
        if form.check.errors["initialBackup"] != nil, form.check.errors["stagingFolder"] == nil {
            form.check.fail("stagingFolder", form.check.errors["initialBackup"]!)
        }
        let selected = Set(form.paths)
        let listing: [BrowseEntry]
        var browseError = ""
        do { listing = try service.listDirectory(browse) } catch let error as AgentError where error.code != .vault {
            listing = []
            browseError = Self.sentence(error.message)
        }
        let entries = listing.filter { $0.kind == "directory" || $0.kind == "file" }.map { entry -> [String: Any] in
            ["path": entry.path, "name": entry.name, "isDirectory": entry.kind == "directory", "selected": selected.contains(entry.path),
             "size": entry.kind == "file" ? Format.size(Int64(clamping: entry.size)) : ""]
        }
        let volumes = (try? service.volumes()) ?? []
        let chosenVolumes = Set(form.volumes)
        var exclusions = form.exclusions.map { ["folder": $0.folder, "wildcard": $0.wildcard, "subfolders": $0.subfolders] as [String: Any] }
        exclusions += Array(repeating: ["folder": "", "wildcard": "", "subfolders": true] as [String: Any], count: 2)
        let weekly = form.check.values["frequency"] == "weekly"
        return try request.page("agent/schedule", title: "Schedule backup", [
            "form": form.check.context, "saved": saved,
            "paths": form.paths, "hasPaths": !form.paths.isEmpty,
            "browse": browse, "crumbs": Self.crumbs(browse), "parent": browse == "/" ? false as Any : (browse as NSString).deletingLastPathComponent as Any,
            "entries": entries, "emptyFolder": entries.isEmpty && browseError.isEmpty, "browseError": browseError,
            "hasBrowseError": !browseError.isEmpty,
            "volumes": Self.volumeRows(volumes, chosen: form.volumes, isMounted: service.isMounted),
            "hasVolumes": !volumes.isEmpty || !chosenVolumes.isEmpty, "systemState": form.check.values["systemState"] == "on",
            "exclusions": exclusions,
            "daily": !weekly, "weekly": weekly,
            "days": Weekday.allCases.map { ["value": $0.rawValue, "name": $0.name, "checked": form.days.contains($0.rawValue)] },
            "online": form.check.values["initial"] != "offline", "offline": form.check.values["initial"] == "offline",
            "needsPIN": needsPIN,
        ], status: status)
    }

    /// The folder's path as links: "/", "srv", "srv/data".
    static func crumbs(_ path: String) -> [[String: String]] {
        var crumbs = [["name": "/", "path": "/"]]
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            crumbs.append(["name": String(part), "path": current])
        }
        return crumbs
    }
}
