/// GoalForm owns the Schedule backup form: a backup goal as form fields, and the fields back into a validated goal.
import Agent
import Foundation
import Web

/// The submitted (or prefilled) schedule form, with its repeated fields kept apart from `FormValidation`'s first values.
struct GoalForm {
    var check: FormValidation
    var paths: [String]
    var volumes: [String]
    var days: Set<Int>
    var exclusions: [(folder: String, wildcard: String, subfolders: Bool)]

    /// The form as submitted.
    init(_ form: FormData) {
        check = FormValidation(form)
        var paths = form.values("path").filter { !$0.isEmpty }
        if let added = form["addPath"]?.trimmingCharacters(in: .whitespaces), !added.isEmpty { paths.append(added) }
        self.paths = Self.unique(paths)
        volumes = Self.unique(form.values("volume"))
        days = Set(form.values("day").compactMap(Int.init))
        let folders = form.values("exFolder"), wildcards = form.values("exWildcard"), subfolders = form.values("exSubfolders")
        exclusions = folders.indices.compactMap { index in
            let folder = folders[index].trimmingCharacters(in: .whitespaces)
            guard !folder.isEmpty else { return nil }
            let wildcard = index < wildcards.count ? wildcards[index].trimmingCharacters(in: .whitespaces) : ""
            return (folder, wildcard, index < subfolders.count ? subfolders[index] != "no" : true)
        }
        check.values["addPath"] = nil
    }

    /// The form prefilled from the saved goal, or with MARS's defaults when there is none.
    init(goal: BackupGoal?, timeZone: String) {
        check = FormValidation(FormData())
        paths = goal?.paths ?? []
        volumes = goal?.volumes ?? []
        exclusions = goal?.exclusions.map { ($0.folder, $0.wildcard ?? "", $0.subfolders) } ?? []
        let schedule = goal?.schedule
        var values: [String: String] = ["timeZone": schedule?.timeZoneIdentifier ?? timeZone, "initial": "online"]
        if case .weekly(let chosen)? = schedule?.frequency {
            values["frequency"] = "weekly"
            days = Set(chosen.map(\.rawValue))
        } else {
            values["frequency"] = "daily"
            days = []
        }
        let times = schedule?.times.map(\.description) ?? ["21:00"]
        for (index, time) in times.enumerated() { values["time\(index + 1)"] = time }
        let retention = goal?.retention ?? .standard
        values["keepDaily"] = String(retention.daily)
        values["keepWeekly"] = String(retention.weekly)
        values["keepMonthly"] = String(retention.monthly)
        values["keepYearly"] = String(retention.yearly)
        if goal?.systemState == true { values["systemState"] = "on" }
        if case .offline(let folder)? = goal?.initialBackup {
            values["initial"] = "offline"
            values["stagingFolder"] = folder
        }
        values["preCommand"] = goal?.preCommand
        values["postCommand"] = goal?.postCommand
        values["commandTimeout"] = goal?.commandTimeoutSeconds.map(String.init)
        check.values = values
    }

    /// The goal the form describes, or nil with every problem recorded next to its field.
    mutating func goal() -> BackupGoal? {
        let schedule = schedule()
        let retention = retention()
        var rules: [Exclusion] = []
        for rule in exclusions {
            do {
                rules.append(try Exclusion(folder: rule.folder, wildcard: rule.wildcard.isEmpty ? nil : rule.wildcard,
                                           subfolders: rule.subfolders))
            } catch {
                check.fail("exclusions", AgentPages.sentence(error.message))
            }
        }
        var initial = InitialBackup.online
        if check.values["initial"] == "offline" {
            if let folder = check.required("stagingFolder", "Give the folder on the seeding disk the initial backup is written to.") {
                initial = .offline(stagingFolder: folder)
            }
        }
        guard check.isValid, let schedule, let retention else { return nil }
        do {
            var goal = try BackupGoal(paths: paths, volumes: volumes, systemState: check.values["systemState"] == "on",
                                      exclusions: rules, schedule: schedule, retention: retention, initialBackup: initial)
            func text(_ field: String) -> String? {
                check.values[field].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            }
            goal.preCommand = text("preCommand")
            goal.postCommand = text("postCommand")
            if let timeout = text("commandTimeout") {
                guard let seconds = Int(timeout) else {
                    check.fail("commandTimeoutSeconds", "Enter the seconds a command may run as a whole number, such as 600.")
                    return nil
                }
                goal.commandTimeoutSeconds = seconds
            }
            try goal.validateCommands()
            return goal
        } catch {
            check.fail(error.field, AgentPages.sentence(error.message))
            return nil
        }
    }

    private mutating func schedule() -> BackupSchedule? {
        var times: [TimeOfDay] = []
        for field in ["time1", "time2", "time3"] {
            guard let text = check.values[field]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { continue }
            guard let time = TimeOfDay(text) else {
                check.fail(field, "Enter a time as HH:MM on a 24-hour clock, such as 21:30.")
                continue
            }
            times.append(time)
        }
        let weekly = check.values["frequency"] == "weekly"
        let frequency: BackupSchedule.Frequency = weekly ? .weekly(Set(days.compactMap(Weekday.init(rawValue:)))) : .daily
        do {
            return try BackupSchedule(frequency: frequency, times: times,
                                      timeZoneIdentifier: check.values["timeZone"]?.trimmingCharacters(in: .whitespaces) ?? "")
        } catch {
            let field = error.message.contains("day of the week") ? "days" : error.message.contains("time zone") ? "timeZone" : "times"
            check.fail(field, AgentPages.sentence(error.message))
            return nil
        }
    }

    private mutating func retention() -> RetentionSettings? {
        var counts: [Int] = []
        for (field, unit) in [("keepDaily", "daily"), ("keepWeekly", "weekly"), ("keepMonthly", "monthly"), ("keepYearly", "yearly")] {
            guard let count = Int(check.values[field]?.trimmingCharacters(in: .whitespaces) ?? ""), (0...9999).contains(count) else {
                check.fail(field, "Enter how many \(unit) recovery points to keep: a whole number from 0 to 9999.")
                continue
            }
            counts.append(count)
        }
        guard counts.count == 4 else { return nil }
        let retention = RetentionSettings(daily: counts[0], weekly: counts[1], monthly: counts[2], yearly: counts[3])
        guard counts.reduce(0, +) > 0 else {
            check.fail("retention", "Keep at least one recovery point (daily, weekly, monthly or yearly).")
            return nil
        }
        return retention
    }

    private static func unique(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }
    }
}
