import Glibc
import ObjectStore
import Repository

/// What to back up and how.
public struct BackupOptions: Sendable {
    /// Absolute paths of the sources.
    public var paths: [String]
    public var excludes: [String] = []
    /// Stay on the file system each source starts on (mount points are kept as empty directories).
    public var oneFileSystem = false
    public var tags: [String] = []
    /// The recovery point whose metadata decides which files need not be read again.
    public var parent: StoredRecoveryPoint?
    /// Who and when: the caller reads the clock, not the archiver.
    public var identity: WriterIdentity
    /// Worker threads reading, chunking and compressing files.
    public var threads: Int
    /// Threads listing and stat'ing directories in unoptimized mode, the walking thread included: 1 walks serially.
    /// Any number gives the same recovery point.
    public var walkThreads = BackupOptions.defaultWalkThreads
    /// The backup item the recovery point is committed under, on a store that commits points (the vault).
    public var item: BackupItem = .filesAndFolders
    /// Keep the recovery point at least until then (RFC 3339), on a store that applies retention (the vault).
    public var retainUntil: String?
    /// Optimized mode: the directories (absolute paths) the change journal says changed since the parent point
    /// was started. Only they are listed; every other directory is taken from the parent as it was. Nil:
    /// unoptimized mode, every directory is listed and every entry compared with the parent.
    public var changedDirectories: Set<String>?
    /// Directories that held files with more than one link at the parent point (`BackupResult.multiLinkDirectories`):
    /// in optimized mode they are always listed, since a write through another link changes their files unseen.
    public var multiLinkDirectories: Set<String> = []
    /// Live figures and the cancel switch; nil when nobody watches.
    public var progress: BackupProgress?
    /// Sources read from somewhere else than where they are recorded: a source path (one of `paths`) → the absolute
    /// path its content is read from — a read-only snapshot of it, or a folder gathered for it. The recovery point,
    /// excludes, the journal's directories and warnings speak of the recorded path; metadata and content come from
    /// what is read.
    public var readFrom: [String: String] = [:]

    /// One per processor, at most 4: enough to keep the walk ahead of the file workers without crowding them out on
    /// a large machine (docs/performance.md, *Parallel walk*).
    public static var defaultWalkThreads: Int { min(max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1), 4) }

    public init(paths: [String], identity: WriterIdentity, threads: Int) {
        self.paths = paths
        self.identity = identity
        self.threads = threads
    }
}

/// Something the backup could not do for one entry; the backup went on without it.
public struct BackupWarning: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String { "\(path): \(message)" }
}

/// A finished backup.
public struct BackupResult: Sendable {
    public var recoveryPoint: StoredRecoveryPoint
    public var warnings: [BackupWarning]
    public var statistics: RepositoryWriter.Statistics
    /// Whether the journal's directories were enough, or why every directory was listed.
    public var mode: BackupMode = .unoptimized(reason: "")
    /// Directories holding files with more than one link: the next optimized backup lists them again.
    public var multiLinkDirectories: Set<String> = []
    /// The most directories and regular files the archiver held at once, walked but not yet written into their
    /// trees: bounded by the files in flight and the tree's depth, not by the size of the tree.
    public var peakPending = PendingCount()
}

/// A number of directories and regular files waiting to be written into trees.
public struct PendingCount: Sendable, Equatable {
    public var directories = 0
    public var files = 0
}

/// How a backup found what changed.
public enum BackupMode: Sendable, Equatable {
    /// Only the directories the change journal named were listed.
    case optimized
    /// Every directory was listed and every entry compared with the parent point, for the reason given.
    case unoptimized(reason: String)
}

/// Picks the recovery point to compare with: the newest one of the same host and the same paths.
public func parentCandidate(in points: [StoredRecoveryPoint], hostname: String, paths: [String]) -> StoredRecoveryPoint? {
    let wanted = paths.sorted()
    return points.last { $0.point.hostname == hostname && $0.point.paths.sorted() == wanted }
}
