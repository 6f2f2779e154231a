/// BackupGoal is what the user asked to protect and how: sources, exclusions, schedule, retention and the
/// initial backup's route (online, or offline on a seeding disk).
import Foundation

/// The retention the vault applies to the goal's recovery points (it is stored in the vault; see docs/vault-api.md).
public struct RetentionSettings: Codable, Sendable, Equatable {
    public var daily: Int
    public var weekly: Int
    public var monthly: Int
    public var yearly: Int

    /// MARS's defaults for a daily schedule: 180 daily, 104 weekly, 60 monthly, 10 yearly points.
    public static let standard = RetentionSettings(daily: 180, weekly: 104, monthly: 60, yearly: 10)

    public init(daily: Int, weekly: Int, monthly: Int, yearly: Int) {
        self.daily = daily
        self.weekly = weekly
        self.monthly = monthly
        self.yearly = yearly
    }

    func validate() throws(GoalError) {
        for (name, value) in [("daily", daily), ("weekly", weekly), ("monthly", monthly), ("yearly", yearly)]
        where !(0...9999).contains(value) {
            throw GoalError(field: "retention", "keep between 0 and 9999 \(name) recovery points, not \(value)")
        }
        guard daily + weekly + monthly + yearly > 0 else {
            throw GoalError(field: "retention", "keep at least one recovery point (daily, weekly, monthly or yearly)")
        }
    }
}

/// How the first backup reaches the vault.
public enum InitialBackup: Codable, Sendable, Equatable {
    /// Over the network.
    case online
    /// Written to a folder on a disk that is shipped to the vault's site and imported there.
    case offline(stagingFolder: String)
}

/// One protected set of sources with its schedule and retention.
public struct BackupGoal: Codable, Sendable, Equatable {
    /// Absolute paths of files and folders to protect.
    public var paths: [String]
    /// Mount points of whole volumes to protect.
    public var volumes: [String]
    /// Whether the system state (configuration, package lists, users) is protected.
    public var systemState: Bool
    public var exclusions: [Exclusion]
    public var schedule: BackupSchedule
    public var retention: RetentionSettings
    public var initialBackup: InitialBackup
    /// A shell command run before each backup of the goal (to dump a database, quiesce an application); a failure or
    /// a timeout aborts the backup. Nil: none.
    public var preCommand: String?
    /// A shell command run after each backup that ran its pre-command or had none, whatever the backup's outcome
    /// (`HAVEN_RESULT` says it); a failure is a warning in the job's report.
    public var postCommand: String?
    /// How long each command may run, in seconds (600 when nil).
    public var commandTimeoutSeconds: Int?

    public init(paths: [String], volumes: [String] = [], systemState: Bool = false, exclusions: [Exclusion] = [],
                schedule: BackupSchedule, retention: RetentionSettings = .standard,
                initialBackup: InitialBackup = .online) throws(GoalError) {
        guard !paths.isEmpty || !volumes.isEmpty || systemState else {
            throw GoalError(field: "sources", "choose at least one file, folder or volume, or the system state, to protect")
        }
        for path in paths + volumes where !path.hasPrefix("/") || path.utf8.contains(0) {
            throw GoalError(field: "sources", "a protected path must be absolute, such as /srv; got \(String(reflecting: path))")
        }
        try retention.validate()
        if case .offline(let folder) = initialBackup, !folder.hasPrefix("/") {
            throw GoalError(field: "initialBackup", "the offline staging folder must be an absolute path on the seeding disk")
        }
        self.paths = Array(Set(paths)).sorted()
        self.volumes = Array(Set(volumes)).sorted()
        self.systemState = systemState
        self.exclusions = exclusions
        self.schedule = schedule
        self.retention = retention
        self.initialBackup = initialBackup
    }

    /// Checks the pre- and post-backup commands, naming the field at fault.
    public func validateCommands() throws(GoalError) {
        for (field, command) in [("preCommand", preCommand), ("postCommand", postCommand)] {
            guard let command else { continue }
            guard !command.trimmingCharacters(in: .whitespaces).isEmpty, command.utf8.count <= 4096, !command.utf8.contains(0) else {
                throw GoalError(field: field, "a command is one shell line of at most 4096 bytes; leave it empty for none")
            }
        }
        if let timeout = commandTimeoutSeconds, !(1...86_400).contains(timeout) {
            throw GoalError(field: "commandTimeoutSeconds", "a command may run 1 second to 24 hours; got \(timeout) seconds")
        }
    }

    /// The archiver's exclude patterns for this goal.
    public var excludePatterns: [String] { exclusions.map(\.pattern) }
}

extension BackupGoal {
    /// The name of the item that holds the goal's files and folders, as MARS names it.
    public static let filesItemName = "Files and folders"
    public static let systemStateItemName = "System state"

    /// The backup items the goal produces, each with its own recovery points in the vault.
    public var items: [(kind: String, name: String)] {
        var items: [(kind: String, name: String)] = []
        if !paths.isEmpty { items.append(("files", Self.filesItemName)) }
        items += volumes.map { ("volume", $0) }
        if systemState { items.append(("system-state", Self.systemStateItemName)) }
        return items
    }
}
