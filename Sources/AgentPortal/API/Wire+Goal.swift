/// The agent API's backup goal messages: sources, exclusions, schedule, retention (docs/agent-api.md, Backup goal).

extension AgentAPI {
    /// A backup goal as the API reads and writes it.
    public struct Goal: Codable, Sendable, Equatable {
        public var paths: [String]
        public var volumes: [String]
        public var systemState: Bool
        public var exclusions: [ExclusionRule]
        public var schedule: Schedule
        public var retention: Retention
        public var initialBackup: InitialBackupChoice
        /// Shell commands run before and after each backup; absent: none.
        public var commands: Commands?

        enum CodingKeys: String, CodingKey { case paths, volumes, systemState, exclusions, schedule, retention, initialBackup, commands }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            paths = try container.decodeIfPresent([String].self, forKey: .paths) ?? []
            volumes = try container.decodeIfPresent([String].self, forKey: .volumes) ?? []
            systemState = try container.decodeIfPresent(Bool.self, forKey: .systemState) ?? false
            exclusions = try container.decodeIfPresent([ExclusionRule].self, forKey: .exclusions) ?? []
            schedule = try container.decode(Schedule.self, forKey: .schedule)
            retention = try container.decode(Retention.self, forKey: .retention)
            initialBackup = try container.decodeIfPresent(InitialBackupChoice.self, forKey: .initialBackup) ?? InitialBackupChoice(mode: "online")
            commands = try container.decodeIfPresent(Commands.self, forKey: .commands)
        }

        public init(paths: [String], volumes: [String], systemState: Bool, exclusions: [ExclusionRule], schedule: Schedule,
                    retention: Retention, initialBackup: InitialBackupChoice) {
            self.paths = paths
            self.volumes = volumes
            self.systemState = systemState
            self.exclusions = exclusions
            self.schedule = schedule
            self.retention = retention
            self.initialBackup = initialBackup
        }
    }

    /// The goal's pre- and post-backup commands (`/bin/sh -c`), and how long each may run (600 s when absent).
    public struct Commands: Codable, Sendable, Equatable {
        public var pre: String?
        public var post: String?
        public var timeoutSeconds: Int?

        public init(pre: String?, post: String?, timeoutSeconds: Int?) {
            self.pre = pre
            self.post = post
            self.timeoutSeconds = timeoutSeconds
        }
    }

    /// One exclusion: a folder, or a wildcard inside it (and its subfolders).
    public struct ExclusionRule: Codable, Sendable, Equatable {
        public var folder: String
        public var wildcard: String?
        public var subfolders: Bool?
    }

    /// When backups run: `frequency` `daily` or `weekly` (on `days`), at one to three `times` ("HH:MM") in `timeZone`.
    public struct Schedule: Codable, Sendable, Equatable {
        public var frequency: String
        public var days: [String]?
        public var times: [String]
        public var timeZone: String
    }

    /// How many daily, weekly, monthly and yearly recovery points the vault keeps.
    public struct Retention: Codable, Sendable, Equatable {
        public var daily, weekly, monthly, yearly: Int

        public init(daily: Int, weekly: Int, monthly: Int, yearly: Int) {
            self.daily = daily
            self.weekly = weekly
            self.monthly = monthly
            self.yearly = yearly
        }
    }

    /// `online`, or `offline` with the seeding disk's `stagingFolder`.
    public struct InitialBackupChoice: Codable, Sendable, Equatable {
        public var mode: String
        public var stagingFolder: String?
    }

    /// `GET /goal` and `PUT /goal`: absent when no goal is set.
    public struct GoalState: Codable, Sendable, Equatable {
        public var goal: Goal?
    }

    /// The security PIN that may ride along in a body that changes the retention or the passphrase.
    struct PINField: Decodable {
        var securityPIN: String?
    }
}
