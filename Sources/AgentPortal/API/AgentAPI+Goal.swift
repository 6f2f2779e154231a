/// The agent API's backup goal endpoints, and the source picker's volumes and directory listing.
import Agent
import HTTPServer

extension AgentAPI {
    func goal() throws -> HTTPServer.Response {
        Self.json(GoalState(goal: try service.goal().map(Goal.init)))
    }

    func saveGoal(_ request: HTTPServer.Request) throws -> HTTPServer.Response {
        let goal = try Self.decode(Goal.self, from: request)
        let pin = try Self.decode(PINField.self, from: request).securityPIN
        try service.saveGoal(try goal.backupGoal(), securityPIN: pin)
        return try self.goal()
    }

    func saveRetention(_ request: HTTPServer.Request) throws -> HTTPServer.Response {
        let change = try Self.decode(RetentionChange.self, from: request)
        guard let stored = try service.goal() else {
            throw APIError(.notFound, "there is no backup goal yet; schedule a backup (PUT /api/v1/goal or the portal) first")
        }
        var goal = Goal(stored)
        goal.retention = Retention(daily: change.daily, weekly: change.weekly, monthly: change.monthly, yearly: change.yearly)
        try service.saveGoal(try goal.backupGoal(), securityPIN: change.securityPIN)
        return try self.goal()
    }

    func volumes() throws -> HTTPServer.Response {
        Self.json(Volumes(volumes: try service.volumes().map {
            Volume(mountPoint: $0.mountPoint, device: $0.device, type: $0.type, size: $0.size, used: $0.used, available: $0.available,
                   readOnly: $0.readOnly)
        }))
    }

    func directory(_ request: HTTPServer.Request) throws -> HTTPServer.Response {
        let path = request.queryValue("path") ?? "/"
        guard path.hasPrefix("/"), !path.utf8.contains(0), path.utf8.count <= 4096 else {
            throw APIError(.invalidRequest, field: "path", "path must be an absolute path such as /srv")
        }
        return Self.json(Entries(path: path, entries: try service.listDirectory(path).map(Entry.init)))
    }
}

extension AgentAPI.Goal {
    /// The wire form of a stored goal.
    init(_ goal: BackupGoal) {
        let schedule: AgentAPI.Schedule
        switch goal.schedule.frequency {
        case .daily:
            schedule = .init(frequency: "daily", days: nil, times: goal.schedule.times.map(\.description),
                             timeZone: goal.schedule.timeZoneIdentifier)
        case .weekly(let days):
            schedule = .init(frequency: "weekly", days: days.sorted().map(\.apiName), times: goal.schedule.times.map(\.description),
                             timeZone: goal.schedule.timeZoneIdentifier)
        }
        let initial: AgentAPI.InitialBackupChoice = switch goal.initialBackup {
        case .online: .init(mode: "online", stagingFolder: nil)
        case .offline(let folder): .init(mode: "offline", stagingFolder: folder)
        }
        let r = goal.retention
        self.init(paths: goal.paths, volumes: goal.volumes, systemState: goal.systemState,
                  exclusions: goal.exclusions.map { .init(folder: $0.folder, wildcard: $0.wildcard, subfolders: $0.subfolders) },
                  schedule: schedule, retention: .init(daily: r.daily, weekly: r.weekly, monthly: r.monthly, yearly: r.yearly),
                  initialBackup: initial)
        if goal.preCommand != nil || goal.postCommand != nil || goal.commandTimeoutSeconds != nil {
            commands = .init(pre: goal.preCommand, post: goal.postCommand, timeoutSeconds: goal.commandTimeoutSeconds)
        }
    }

    /// The goal this wire form means, validated field by field.
    func backupGoal() throws -> BackupGoal {
        let exclusions = try exclusions.map { try Exclusion(folder: $0.folder, wildcard: $0.wildcard, subfolders: $0.subfolders ?? true) }
        let frequency: BackupSchedule.Frequency
        switch schedule.frequency {
        case "daily": frequency = .daily
        case "weekly": frequency = .weekly(Set(try (schedule.days ?? []).map { try Weekday(apiName: $0, field: "schedule") }))
        default:
            throw APIError(.invalidRequest, field: "schedule", "schedule.frequency must be daily or weekly, not \(String(reflecting: schedule.frequency))")
        }
        let times = try schedule.times.map { text in
            guard let time = TimeOfDay(text) else {
                throw APIError(.invalidRequest, field: "schedule", "a backup time is HH:MM on a 24-hour clock, such as 21:30, not \(String(reflecting: text))")
            }
            return time
        }
        let initial: InitialBackup
        switch (initialBackup.mode, initialBackup.stagingFolder) {
        case ("online", _): initial = .online
        case ("offline", let folder?): initial = .offline(stagingFolder: folder)
        case ("offline", nil):
            throw APIError(.invalidRequest, field: "initialBackup", "an offline initial backup needs stagingFolder: a folder on the seeding disk")
        default:
            throw APIError(.invalidRequest, field: "initialBackup", "initialBackup.mode must be online or offline")
        }
        var goal = try BackupGoal(paths: paths, volumes: volumes, systemState: systemState, exclusions: exclusions,
                                  schedule: try BackupSchedule(frequency: frequency, times: times, timeZoneIdentifier: schedule.timeZone),
                                  retention: RetentionSettings(daily: retention.daily, weekly: retention.weekly, monthly: retention.monthly,
                                                               yearly: retention.yearly),
                                  initialBackup: initial)
        goal.preCommand = commands?.pre.flatMap { $0.isEmpty ? nil : $0 }
        goal.postCommand = commands?.post.flatMap { $0.isEmpty ? nil : $0 }
        goal.commandTimeoutSeconds = commands?.timeoutSeconds
        try goal.validateCommands()
        return goal
    }
}

extension Weekday {
    /// "monday", as the API writes days.
    var apiName: String { name.lowercased() }

    /// The day an API name means.
    init(apiName: String, field: String) throws {
        guard let day = Weekday.allCases.first(where: { $0.apiName == apiName.lowercased() }) else {
            throw APIError(.invalidRequest, field: field, "\(String(reflecting: String(apiName.prefix(32)))) is not a day; use monday … sunday")
        }
        self = day
    }
}
