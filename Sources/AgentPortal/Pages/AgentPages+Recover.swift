/// The Recover data wizard: source server and what to recover → item and recovery point on a calendar → files and
/// folders (not for a whole volume) → where and how.
import Agent
import Foundation
import HTTPServer
import VaultProtocol
import Web

extension AgentPages {
    func recoverStart(_ request: WebRequest) throws -> Response {
        guard let registration = registration() else { return try notRegisteredPage(request, title: "Recover data") }
        return try sourceStep(request, RecoverWizard(), check: FormValidation(FormData()), registration: registration)
    }

    /// Every wizard button posts the whole state here; `go` names the step asked for, other buttons move inside a step.
    func recoverStep(_ request: WebRequest) throws -> Response {
        guard let registration = registration() else { return try notRegisteredPage(request, title: "Recover data") }
        var wizard = RecoverWizard(request.form)
        var check = FormValidation(request.form)
        check.forget("passphrase")
        let asked = RecoverWizard.Step(rawValue: request.form["go"] ?? "") ?? RecoverWizard.Step(rawValue: request.form["from"] ?? "") ?? .source
        if asked == .source { return try sourceStep(request, wizard, check: check, registration: registration) }

        if wizard.source == "other" {
            check.expect(!wizard.machine.isEmpty, "machine", "Choose the server whose data you want to recover.")
            check.expect(!wizard.passphrase.isEmpty, "passphrase", "Type that server's passphrase: its data is encrypted with it.")
            guard check.isValid else { return try sourceStep(request, wizard, check: check, registration: registration, status: 422) }
        }
        let points: [RecoveryPointInfo]
        do {
            points = try service.recoveryPoints(machine: wizard.sourceMachine, passphrase: wizard.sourcePassphrase)
        } catch let error as AgentError where error.code != .io {
            Self.record(error, in: &check, fields: ["machine", "passphrase"])
            return try sourceStep(request, wizard, check: check, registration: registration, status: 422)
        }
        if let item = request.form["setItem"] { wizard.item = item; wizard.point = ""; wizard.day = "" }
        if let month = request.form["setMonth"] { wizard.month = month }
        if let day = request.form["setDay"] { wizard.day = day; wizard.point = "" }
        if asked == .point || request.form["setItem"] != nil || request.form["setMonth"] != nil || request.form["setDay"] != nil {
            return try pointStep(request, &wizard, points: points, check: check)
        }
        guard let point = points.first(where: { $0.id == wizard.point && wizard.offers(kind: $0.itemKind) }) else {
            check.fail("point", "Choose a recovery point: pick a day in bold, then one of its times.")
            return try pointStep(request, &wizard, points: points, check: check, status: 422)
        }
        if wizard.mode == "system-state", let page = try recoverSystemState(request, wizard, point: point, check: check) { return page }
        if wizard.isVolume {
            return asked == .start ? try startRestore(request, wizard, point: point, check: check)
                : try optionsStep(request, wizard, point: point, check: check)
        }
        if let folder = request.form["open"], folder.hasPrefix("/") { wizard.path = folder; wizard.pattern = "" }
        if request.form["clearSearch"] != nil { wizard.pattern = "" }
        if asked == .items || request.form["open"] != nil || request.form["search"] != nil || request.form["clearSearch"] != nil {
            return try itemsStep(request, wizard, point: point, check: check)
        }
        if asked == .options { return try optionsStep(request, wizard, point: point, check: check) }
        return try startRestore(request, wizard, point: point, check: check)
    }

    private func sourceStep(_ request: WebRequest, _ wizard: RecoverWizard, check: FormValidation, registration: RegistrationInfo,
                            status: Int = 200) throws -> Response {
        let machines = (try? service.machines()) ?? []
        let others = machines.filter { $0.id != registration.machineId }
        return try request.page("agent/recover-source", title: "Recover data", [
            "form": check.context, "hidden": wizard.hidden(for: .source), "this": wizard.source != "other",
            "other": wizard.source == "other", "machineName": registration.machineName, "vault": registration.vaultName,
            "modeFiles": wizard.mode == "files", "modeVolume": wizard.isVolume, "modeSystemState": wizard.mode == "system-state",
            "machines": others.map { ["id": $0.id, "name": $0.name, "hostname": $0.hostname, "selected": $0.id == wizard.machine,
                                      "unregistered": $0.state == "unregistered"] },
            "hasMachines": !others.isEmpty, "step": Self.steps(current: 1, volume: wizard.isVolume),
        ], status: status)
    }

    private func pointStep(_ request: WebRequest, _ wizard: inout RecoverWizard, points: [RecoveryPointInfo], check: FormValidation,
                           status: Int = 200) throws -> Response {
        var items: [(key: String, kind: String, name: String, count: Int)] = []
        for point in points where wizard.offers(kind: point.itemKind) {
            let key = point.itemKind + ":" + point.itemName
            if let index = items.firstIndex(where: { $0.key == key }) { items[index].count += 1 } else {
                items.append((key, point.itemKind, point.itemName, 1))
            }
        }
        if !items.contains(where: { $0.key == wizard.item }) { wizard.item = items.first?.key ?? "" }
        let ofItem = points.filter { $0.itemKind + ":" + $0.itemName == wizard.item }.sorted { $0.time > $1.time }
        if wizard.day.isEmpty, let newest = ofItem.first { wizard.day = RecoveryCalendar.dayKey(newest.time) }
        if wizard.month.isEmpty { wizard.month = String(wizard.day.prefix(7)) }
        let pointDays = Dictionary(ofItem.map { (RecoveryCalendar.dayKey($0.time), 1) }, uniquingKeysWith: +)
        let calendar = RecoveryCalendar(month: wizard.month, fallback: ofItem.first?.time ?? request.now, pointDays: pointDays,
                                        selected: wizard.day)
        wizard.month = calendar.month
        let times = ofItem.filter { RecoveryCalendar.dayKey($0.time) == wizard.day }
        if wizard.point.isEmpty, times.count == 1 { wizard.point = times[0].id }
        return try request.page("agent/recover-point", title: "Recover data", [
            "form": check.context, "hidden": wizard.hidden(for: .point), "step": Self.steps(current: 2, volume: wizard.isVolume),
            "empty": items.isEmpty, "sourceName": try sourceName(wizard), "emptyText": Self.emptyText(wizard),
            "next": wizard.isVolume ? "options" : "items", "nextLabel": Self.nextLabel(wizard),
            "itemsTitle": wizard.isVolume ? "Volume" : wizard.mode == "system-state" ? "System state" : "Backup item",
            "items": items.map { ["key": $0.key, "label": AgentFormat.kind($0.kind) + ($0.kind == "files" ? "" : ": " + $0.name),
                                  "count": $0.count, "current": $0.key == wizard.item] },
            "item": wizard.item, "month": wizard.month, "day": wizard.day,
            "calendar": ["title": calendar.title, "previous": calendar.previous, "next": calendar.next, "weeks": calendar.weeks.map { ["days": $0] }],
            "times": times.map { ["id": $0.id, "time": RecoveryCalendar.timeOfDay($0.time), "size": Format.size($0.size),
                                  "checked": $0.id == wizard.point,
                                  "retain": $0.retainUntil.map { "kept until " + Format.date($0) as Any } ?? false] },
            "hasTimes": !times.isEmpty, "pointCount": ofItem.count, "systemState": wizard.item.hasPrefix("system-state:"),
        ], status: status)
    }

    private func itemsStep(_ request: WebRequest, _ wizard: RecoverWizard, point: RecoveryPointInfo, check: FormValidation,
                           status: Int = 200) throws -> Response {
        var check = check
        let searching = !wizard.pattern.trimmingCharacters(in: .whitespaces).isEmpty
        var entries: [BrowseEntry] = []
        var wizard = wizard
        do {
            entries = searching
                ? try service.search(machine: wizard.sourceMachine, passphrase: wizard.sourcePassphrase, point: point.id, pattern: wizard.pattern)
                : try service.browse(machine: wizard.sourceMachine, passphrase: wizard.sourcePassphrase, point: point.id, path: wizard.path)
            // A point of /srv/www starts at "/" with one folder per level: open the way down to where the data is.
            var levels = 0
            while !searching, request.form["open"] == nil, entries.count == 1, entries[0].kind == "directory", levels < 32 {
                wizard.path = entries[0].path
                entries = try service.browse(machine: wizard.sourceMachine, passphrase: wizard.sourcePassphrase, point: point.id, path: wizard.path)
                levels += 1
            }
        } catch let error as AgentError where error.code != .io {
            Self.record(error, in: &check, fields: ["pattern"])
        }
        let selected = Set(wizard.selected)
        let rows = entries.map { entry -> [String: Any] in
            ["path": entry.path, "name": searching ? entry.path : entry.name, "isDirectory": entry.kind == "directory",
             "checked": selected.contains(entry.path), "kind": entry.kind,
             "size": entry.kind == "directory" ? "" : Format.size(Int64(clamping: entry.size)),
             "modified": Format.time(entry.modified)]
        }
        var hidden = wizard.hidden(for: .items)
        hidden += [["name": "path", "value": wizard.path]]
        hidden += wizard.selected.filter { path in !entries.contains { $0.path == path } }.map { ["name": "selected", "value": $0] }
        return try request.page("agent/recover-items", title: "Recover data", [
            "form": check.context, "hidden": hidden, "step": Self.steps(current: 3),
            "listed": entries.map(\.path), "entries": rows, "hasEntries": !rows.isEmpty, "searching": searching,
            "pattern": wizard.pattern, "path": wizard.path, "crumbs": Self.crumbs(wizard.path),
            "point": ["time": Format.time(point.time), "item": AgentFormat.kind(point.itemKind), "name": point.itemName],
            "selected": wizard.selected, "hasSelected": !wizard.selected.isEmpty, "sourceName": try sourceName(wizard),
        ], status: status)
    }

    private func optionsStep(_ request: WebRequest, _ wizard: RecoverWizard, point: RecoveryPointInfo, check: FormValidation,
                             status: Int = 200) throws -> Response {
        try request.page("agent/recover-options", title: "Recover data", [
            "form": check.context, "hidden": wizard.hidden(for: .options), "step": Self.steps(current: wizard.isVolume ? 3 : 4, volume: wizard.isVolume),
            "volume": wizard.isVolume ? point.itemName as Any : false, "back": wizard.isVolume ? "point" : "items",
            "point": ["time": Format.time(point.time), "item": AgentFormat.kind(point.itemKind), "name": point.itemName],
            "selected": wizard.selected, "everything": wizard.selected.isEmpty && !wizard.isVolume, "sourceName": try sourceName(wizard),
            "original": wizard.target != "alternate", "alternate": wizard.target == "alternate",
            "alternatePath": wizard.alternatePath,
            "copy": wizard.conflict == "copy", "overwrite": wizard.conflict == "overwrite", "skip": wizard.conflict == "skip",
            "permissions": wizard.permissions, "otherServer": wizard.source == "other",
        ], status: status)
    }

    private func startRestore(_ request: WebRequest, _ wizard: RecoverWizard, point: RecoveryPointInfo, check: FormValidation) throws
        -> Response
    {
        var check = check
        let alternate = wizard.alternatePath.trimmingCharacters(in: .whitespaces)
        if wizard.target == "alternate" {
            check.expect(alternate.hasPrefix("/"), "alternatePath", "Give the folder to recover into as an absolute path, such as /srv/recovered.")
        }
        guard check.isValid else { return try optionsStep(request, wizard, point: point, check: check, status: 422) }
        let restore = RestoreRequest(
            sourceMachine: wizard.sourceMachine, passphrase: wizard.sourcePassphrase, recoveryPoint: point.id,
            paths: wizard.isVolume ? [] : wizard.selected, target: wizard.target == "alternate" ? .alternate(alternate) : .original,
            conflict: wizard.conflict, restorePermissions: wizard.permissions, volume: wizard.isVolume)
        let job: JobRecord
        do { job = try service.restore(restore) } catch let error as AgentError where error.code != .io {
            Self.record(error, in: &check, fields: ["alternatePath"])
            return try optionsStep(request, wizard, point: point, check: check, status: 422)
        }
        return try request.redirect(to: "/jobs/\(job.id)", flash: .success(
            "Recovery \(wizard.isVolume ? "of the volume \(point.itemName) " : "")started from the point of \(Format.time(point.time)). "
                + "Its progress is below."))
    }

    private func sourceName(_ wizard: RecoverWizard) throws -> String {
        guard let machine = wizard.sourceMachine else { return "this server (\(registration()?.machineName ?? ""))" }
        return (try? service.machines())?.first { $0.id == machine }?.name ?? machine
    }

    /// The wizard's steps for its header, the current one marked.
    static func steps(current: Int, volume: Bool = false) -> [[String: Any]] {
        (volume ? ["Server", "Recovery point", "Destination"] : ["Server", "Recovery point", "Files and folders", "Destination"])
            .enumerated().map { index, title in
            ["number": index + 1, "title": title, "current": index + 1 == current, "done": index + 1 < current]
        }
    }
}
