/// BackupProgress is the live view of a running backup (figures and the file being read) and its cancel switch,
/// shared between the archiver's threads and whoever watches: the agent's worker, the portal, the CLI.
import Repository
import Synchronization

/// Counters the archiver updates as it goes and any thread may read; `cancel()` asks the backup to stop.
///
/// `@unchecked Sendable`: every stored property is an `Atomic` or a `Mutex`.
public final class BackupProgress: @unchecked Sendable {
    /// One consistent-enough reading of the counters (each is exact; they are read one after another).
    public struct Snapshot: Sendable, Equatable {
        /// Files seen by the walk, changed or not, and their total size.
        public var filesScanned = 0
        public var bytesScanned: UInt64 = 0
        /// Files read because they are new or changed, and the bytes read from them.
        public var filesRead = 0
        public var bytesRead: UInt64 = 0
        /// Plaintext bytes of blobs the repository did not have yet.
        public var bytesNew: UInt64 = 0
        /// Bytes of packs handed to the store (uploaded, for a vault).
        public var bytesUploaded: UInt64 = 0
        /// The file a worker read last, as bytes (names need not be UTF-8).
        public var currentPath: [UInt8] = []
    }

    private let filesScanned = Atomic<Int>(0)
    private let bytesScanned = Atomic<UInt64>(0)
    private let filesRead = Atomic<Int>(0)
    private let bytesRead = Atomic<UInt64>(0)
    private let cancelled = Atomic<Bool>(false)
    private let current = Mutex<[UInt8]>([])
    private let writerStatistics = Mutex<(@Sendable () -> RepositoryWriter.Statistics)?>(nil)

    public init() {}

    /// Asks the backup to stop at its next safe point; it then fails with `BackupCancelled` and commits nothing.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    public func snapshot() -> Snapshot {
        var snapshot = Snapshot()
        snapshot.filesScanned = filesScanned.load(ordering: .relaxed)
        snapshot.bytesScanned = bytesScanned.load(ordering: .relaxed)
        snapshot.filesRead = filesRead.load(ordering: .relaxed)
        snapshot.bytesRead = bytesRead.load(ordering: .relaxed)
        snapshot.currentPath = current.withLock { $0 }
        if let statistics = writerStatistics.withLock({ $0 })?() {
            snapshot.bytesNew = statistics.bytesAdded
            snapshot.bytesUploaded = statistics.bytesStored
        }
        return snapshot
    }

    func scanned(bytes: UInt64) {
        filesScanned.add(1, ordering: .relaxed)
        bytesScanned.add(bytes, ordering: .relaxed)
    }

    func startedReading(_ path: [UInt8]) {
        filesRead.add(1, ordering: .relaxed)
        current.withLock { $0 = path }
    }

    func read(bytes: Int) { bytesRead.add(UInt64(bytes), ordering: .relaxed) }

    func attach(_ writer: RepositoryWriter) {
        writerStatistics.withLock { $0 = { writer.statistics } }
    }

    /// Throws `BackupCancelled` once `cancel()` was called.
    func checkCancelled() throws(BackupCancelled) {
        if isCancelled { throw BackupCancelled() }
    }
}

/// The backup stopped because it was asked to; no recovery point was made, and what was already stored
/// is reused by the next backup.
public struct BackupCancelled: Error, Sendable, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "the backup was cancelled; no recovery point was made" }
}
