import Compression
import Crypto
import Dispatch
import Foundation
import Glibc
import ObjectStore
import Synchronization

/// Coordinates the blob writers of one backup: stores their packs, indexes them, and counts what was added.
///
/// Shared by the worker threads; its mutable state lives in a `Mutex`.
public final class RepositoryWriter: Sendable {
    /// An index object is written after this many packs, so an interrupted backup loses little.
    static let packsPerIndex = 8

    let repository: Repository
    /// Where packs in progress are written: the store's own staging directory when it has one.
    let stagingDirectory: String
    private struct State {
        var unindexed: [(pack: String, entries: [PackEntry])] = []
        var statistics = Statistics()
    }

    private let state: Mutex<State>
    private let uploader: Uploader

    /// What the writers added to the repository.
    public struct Statistics: Sendable, Equatable {
        public var blobsAdded = 0
        public var bytesAdded: UInt64 = 0
        public var bytesStored: UInt64 = 0
        public var packsStored = 0
        public var indexesStored = 0
    }

    /// - Parameter stagingDirectory: where packs in progress are written (the agent's cache folder); by default
    ///   the store's staging directory, or the system's temporary directory.
    public init(repository: Repository, stagingDirectory: String? = nil) throws {
        self.repository = repository
        self.stagingDirectory = stagingDirectory ?? repository.store.stagingDirectory ?? NSTemporaryDirectory()
        state = Mutex(State(unindexed: try repository.adoptUnindexedPacks()))
        uploader = Uploader(lanes: max(1, repository.store.parallelUploads))
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// A writer for one thread.
    public func makeBlobWriter() throws -> BlobWriter { try BlobWriter(parent: self) }

    /// Hands a finished pack to the uploader, which stores it (several at once when the store asks for it), then
    /// makes its blobs visible in the index and writes an index object every few packs. An index names only packs
    /// already stored, whatever order the uploads finish in. Throws the first upload failure, if one happened.
    /// The caller goes on filling its next pack meanwhile; a bounded number of packs wait.
    func store(packFile path: String, entries: [PackEntry], size: Int) throws {
        try uploader.submit(orElse: { _ = unlink(path) }) { [self] in
            let name = try repository.storeCall("store a pack of \(entries.count) blobs") { try repository.store.put(.data, namingFileAt: path) }
            repository.index.add(pack: name, entries: entries)
            let batch: [(pack: String, entries: [PackEntry])]? = state.withLock { state in
                state.statistics.packsStored += 1
                state.statistics.bytesStored += UInt64(size)
                state.unindexed.append((name, entries))
                guard state.unindexed.count >= Self.packsPerIndex else { return nil }
                defer { state.unindexed = [] }
                return state.unindexed
            }
            if let batch { try writeIndex(batch) }
        }
    }

    func countAdded(bytes: Int) {
        state.withLock { state in
            state.statistics.blobsAdded += 1
            state.statistics.bytesAdded += UInt64(bytes)
        }
    }

    private func writeIndex(_ packs: [(pack: String, entries: [PackEntry])]) throws {
        let compressor = try repository.makeCompressor()
        // A sealer per index object: its session keys are fresh, so upload lanes never share a nonce counter.
        let bytes = try EnvelopeSealer(key: repository.key).sealObject(IndexFile.encode(packs), compressor: compressor)
        let name = Hex.encode(SHA256.hash(bytes))
        try repository.storeCall("store index \(name.prefix(16))") { try repository.store.put(ObjectKey(.index, name), bytes) }
        repository.index.recordIndexObject(name, for: packs.map(\.pack))
        repository.indexCache?.record(Repository.IndexObject(name: name, size: bytes.count, packs: packs), owner: repository.indexCacheOwner)
        state.withLock { $0.statistics.indexesStored += 1 }
    }

    /// Waits until every pack handed over so far is stored (without writing an index).
    public func waitForUploads() throws { try uploader.drain() }

    /// Waits for every pack to be stored, then writes the index for every pack not yet indexed.
    /// Call after every blob writer was flushed.
    public func finish() throws {
        try uploader.drain()
        let rest = state.withLock { state in
            defer { state.unindexed = [] }
            return state.unindexed
        }
        if !rest.isEmpty { try writeIndex(rest) }
    }
}

/// Stores packs in the background on `lanes` threads at once (one for a local disk, several for the vault).
///
/// `@unchecked Sendable`: the queue, group and semaphores are thread-safe; the first failure lives in a `Mutex`.
private final class Uploader: @unchecked Sendable {
    private let queue = DispatchQueue(label: "haven.upload", attributes: .concurrent)
    private let group = DispatchGroup()
    /// Packs finished but not yet stored. They wait as files in the staging directory, not in memory, so
    /// several may wait while a slow disk or network catches up; the bound keeps the staging space small.
    private let slots: DispatchSemaphore
    /// Uploads running at once.
    private let lanes: DispatchSemaphore
    private let failure = Mutex<(any Error)?>(nil)

    init(lanes: Int) {
        self.lanes = DispatchSemaphore(value: lanes)
        slots = DispatchSemaphore(value: max(4, 2 * lanes))
    }

    /// Queues `work`; if an earlier upload failed, runs `cleanup` instead (so no staged file is left behind).
    func submit(orElse cleanup: @escaping @Sendable () -> Void, _ work: @escaping @Sendable () throws -> Void) throws {
        if let error = failure.withLock({ $0 }) {
            cleanup()
            throw error
        }
        slots.wait()
        queue.async(group: group) { [self] in
            defer { slots.signal() }
            lanes.wait()
            defer { lanes.signal() }
            guard failure.withLock({ $0 }) == nil else { return cleanup() }
            do { try work() } catch { failure.withLock { $0 = $0 ?? error } }
        }
    }

    func drain() throws {
        group.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
