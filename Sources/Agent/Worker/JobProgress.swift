/// JobProgress and JobReport are what the portal shows of a job: live figures while it runs, the report once it ended.
import Backup
import Foundation

/// The live figures of a running job.
public struct JobProgress: Sendable, Equatable {
    public var filesScanned: Int
    public var bytesScanned: UInt64
    /// Files read (backup) or written (restore).
    public var filesDone: Int
    public var bytesRead: UInt64
    public var bytesNew: UInt64
    public var bytesUploaded: UInt64
    public var currentPath: String
    public var bytesPerSecond: Double
    public var estimatedTotalBytes: UInt64?
    public var eta: Duration?
    /// 0...1 when known: a restore always knows its total; a backup estimates it from the previous point's size.
    public var fraction: Double?

    public init(filesScanned: Int = 0, bytesScanned: UInt64 = 0, filesDone: Int = 0, bytesRead: UInt64 = 0, bytesNew: UInt64 = 0,
                bytesUploaded: UInt64 = 0, currentPath: String = "", bytesPerSecond: Double = 0, estimatedTotalBytes: UInt64? = nil,
                eta: Duration? = nil, fraction: Double? = nil) {
        self.filesScanned = filesScanned
        self.bytesScanned = bytesScanned
        self.filesDone = filesDone
        self.bytesRead = bytesRead
        self.bytesNew = bytesNew
        self.bytesUploaded = bytesUploaded
        self.currentPath = currentPath
        self.bytesPerSecond = bytesPerSecond
        self.estimatedTotalBytes = estimatedTotalBytes
        self.eta = eta
        self.fraction = fraction
    }
}

/// What a job did, stored with it when it ends.
public struct JobReport: Codable, Sendable, Equatable {
    /// "optimized" or "unoptimized" (backups only).
    public var mode: String?
    /// Why the backup ran unoptimized, in words.
    public var modeReason: String?
    /// The recovery point made (backup) or used (restore).
    public var recoveryPoint: String?
    public var filesNew: Int
    public var filesChanged: Int
    public var filesUnchanged: Int
    public var filesRestored: Int
    /// Entries a restore left as they were because they existed already (conflict policy skip); nil for backups.
    public var filesSkipped: Int?
    /// Paths, under the restore's target, of entries restored beside an existing one (conflict policy copy); nil for backups.
    public var copies: [String]?
    public var bytesProtected: UInt64
    public var bytesNew: UInt64
    public var bytesUploaded: UInt64
    public var bytesRestored: UInt64
    public var durationSeconds: Double
    /// Per-file warnings and errors, "path: message".
    public var warnings: [String]
    /// The goal's pre- and post-backup commands as they ran.
    public var commands: [CommandRun]?
    /// How each source was read: from a snapshot, or live and why (backups only).
    public var pointInTime: [PointInTime]?
    /// Where an offline seed job wrote the initial backup and what to do next (docs/offline-seeding.md).
    public var seed: SeedReport?

    public init(mode: String? = nil, modeReason: String? = nil, recoveryPoint: String? = nil, filesNew: Int = 0, filesChanged: Int = 0,
                filesUnchanged: Int = 0, filesRestored: Int = 0, filesSkipped: Int? = nil, copies: [String]? = nil,
                bytesProtected: UInt64 = 0, bytesNew: UInt64 = 0, bytesUploaded: UInt64 = 0, bytesRestored: UInt64 = 0,
                durationSeconds: Double = 0, warnings: [String] = [], commands: [CommandRun]? = nil,
                pointInTime: [PointInTime]? = nil) {
        self.commands = commands
        self.pointInTime = pointInTime
        self.mode = mode
        self.modeReason = modeReason
        self.recoveryPoint = recoveryPoint
        self.filesNew = filesNew
        self.filesChanged = filesChanged
        self.filesUnchanged = filesUnchanged
        self.filesRestored = filesRestored
        self.filesSkipped = filesSkipped
        self.copies = copies
        self.bytesProtected = bytesProtected
        self.bytesNew = bytesNew
        self.bytesUploaded = bytesUploaded
        self.bytesRestored = bytesRestored
        self.durationSeconds = durationSeconds
        self.warnings = warnings
    }
}

/// One run of a goal's pre- or post-backup command.
public struct CommandRun: Codable, Sendable, Equatable {
    /// "pre" or "post".
    public var phase: String
    public var command: String
    /// The exit status; nil when it was killed (timeout or signal).
    public var exitStatus: Int32?
    public var timedOut: Bool
    public var durationSeconds: Double
    /// The end of what it wrote (standard output and error together), at most 16 KiB.
    public var output: String

    public var succeeded: Bool { exitStatus == 0 && !timedOut }
}
