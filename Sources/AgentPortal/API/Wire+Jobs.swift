/// The agent API's job messages: jobs, live progress, reports, back up now (docs/agent-api.md, Jobs).

extension AgentAPI {
    /// One backup or restore job.
    public struct Job: Codable, Sendable, Equatable {
        public var id: Int64
        /// `backup` or `restore`.
        public var kind: String
        public var itemKind: String
        public var itemName: String
        /// `scheduled` or `manual`.
        public var trigger: String
        /// `queued`, `running`, `cancelling`, `succeeded`, `completed-with-warnings`, `failed` or `cancelled`.
        public var state: String
        public var stateLabel: String
        public var createdAt: String
        public var startedAt: String?
        public var finishedAt: String?
        public var failureReason: String?

        /// Whether the job can change no more.
        public var isFinished: Bool { ["succeeded", "completed-with-warnings", "failed", "cancelled"].contains(state) }
    }

    /// The live figures of a running job.
    public struct Progress: Codable, Sendable, Equatable {
        public var filesScanned: Int
        public var bytesScanned: UInt64
        public var filesDone: Int
        public var bytesRead: UInt64
        public var bytesNew: UInt64
        public var bytesUploaded: UInt64
        public var currentPath: String
        public var bytesPerSecond: Double
        public var estimatedTotalBytes: UInt64?
        public var etaSeconds: Double?
        /// 0...1 when known.
        public var fraction: Double?
    }

    /// What a finished job did.
    public struct Report: Codable, Sendable, Equatable {
        public var mode: String?
        public var modeReason: String?
        public var recoveryPoint: String?
        public var filesNew, filesChanged, filesUnchanged, filesRestored: Int
        public var bytesProtected, bytesNew, bytesUploaded, bytesRestored: UInt64
        public var durationSeconds: Double
        public var warnings: [String]
        /// How each source was read (backups).
        public var pointInTime: [PointInTime]? = nil
        /// An offline seed job's seed: where, how much, what next (docs/offline-seeding.md).
        public var seed: Seed? = nil
    }

    /// How one source of a backup was read.
    public struct PointInTime: Codable, Sendable, Equatable {
        public var path: String
        /// "btrfs snapshot" or "live".
        public var method: String
        /// Why it was read live ("ext4 has no snapshots").
        public var reason: String?
    }

    /// Where an offline seed job wrote the initial backup (docs/offline-seeding.md).
    public struct Seed: Codable, Sendable, Equatable {
        public var folder: String
        public var manifest: String
        public var objects: Int
        public var bytes: Int64
        public var recoveryPoint: String
        public var nextSteps: String
    }

    /// `GET /jobs`, `POST /backups`.
    public struct JobList: Codable, Sendable, Equatable {
        public var jobs: [Job]
    }

    /// `GET /jobs/{id}`, `POST /jobs/{id}/cancel`, `POST /restores`.
    public struct JobDetail: Codable, Sendable, Equatable {
        public var job: Job
        public var progress: Progress?
        public var report: Report?
    }

    /// `GET /jobs/{id}/progress`.
    public struct ProgressState: Codable, Sendable, Equatable {
        public var state: String
        public var progress: Progress?
    }

    /// `GET /jobs/{id}/report`.
    public struct ReportState: Codable, Sendable, Equatable {
        public var state: String
        public var report: Report?
    }

    /// `POST /backups`: back up now.
    public struct BackupRequest: Codable, Sendable, Equatable {
        public var retainUntil: String?

        public init(retainUntil: String?) { self.retainUntil = retainUntil }
    }
}
