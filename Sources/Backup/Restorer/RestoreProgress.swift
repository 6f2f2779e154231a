/// RestoreProgress is the live view of a running restore (files and bytes written, the file being written) and its
/// cancel switch, shared between the restorer's threads and whoever watches: the agent's worker, the portal.
import Synchronization

/// Counters the restorer updates as it goes and any thread may read; `cancel()` asks the restore to stop.
///
/// `@unchecked Sendable`: every stored property is an `Atomic` or a `Mutex`.
public final class RestoreProgress: @unchecked Sendable {
    /// One reading of the counters.
    public struct Snapshot: Sendable, Equatable {
        /// Regular files written completely, and every byte written so far (partly written files included).
        public var filesRestored = 0
        public var bytesRestored: UInt64 = 0
        /// The file a worker wrote last, as text.
        public var currentPath = ""
    }

    private let filesRestored = Atomic<Int>(0)
    private let bytesRestored = Atomic<UInt64>(0)
    private let cancelled = Atomic<Bool>(false)
    private let current = Mutex<String>("")

    public init() {}

    /// Asks the restore to stop before its next file; it then fails with `RestoreCancelled`. Files already
    /// written stay where they are.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    public func snapshot() -> Snapshot {
        Snapshot(filesRestored: filesRestored.load(ordering: .relaxed), bytesRestored: bytesRestored.load(ordering: .relaxed),
                 currentPath: current.withLock { $0 })
    }

    func started(_ path: String) { current.withLock { $0 = path } }
    func wrote(bytes: Int) { bytesRestored.add(UInt64(bytes), ordering: .relaxed) }
    func finishedFile() { filesRestored.add(1, ordering: .relaxed) }

    /// Throws `RestoreCancelled` once `cancel()` was called.
    func checkCancelled() throws(RestoreCancelled) {
        if isCancelled { throw RestoreCancelled() }
    }
}

/// The restore stopped because it was asked to; what was written before stays.
public struct RestoreCancelled: Error, Sendable, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "the restore was cancelled; the files restored before it stopped were kept" }
}
