import Compression
import Crypto
import Glibc
import ObjectStore

/// Coordinates the blob writers of one backup: stores their packs, indexes them, and counts what was added.
///
/// `@unchecked Sendable`: shared by the worker threads; its mutable state is guarded by `lock`.
public final class RepositoryWriter: @unchecked Sendable {
    /// An index object is written after this many packs, so an interrupted backup loses little.
    static let packsPerIndex = 8

    let repository: Repository
    private var lock = pthread_mutex_t()
    private var unindexed: [(pack: String, entries: [PackEntry])] = []
    private var stats = Statistics()

    /// What the writers added to the repository.
    public struct Statistics: Sendable, Equatable {
        public var blobsAdded = 0
        public var bytesAdded: UInt64 = 0
        public var bytesStored: UInt64 = 0
        public var packsStored = 0
        public var indexesStored = 0
    }

    public init(repository: Repository) throws {
        self.repository = repository
        pthread_mutex_init(&lock, nil)
        unindexed = try repository.adoptUnindexedPacks()
    }

    deinit { pthread_mutex_destroy(&lock) }

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return try body()
    }

    public var statistics: Statistics { locked { stats } }

    /// A writer for one thread.
    public func makeBlobWriter() throws -> BlobWriter { try BlobWriter(parent: self) }

    /// Stores a finished pack, then makes its blobs visible in the index; writes an index object every few packs.
    func store(pack bytes: [UInt8], entries: [PackEntry], sealer: EnvelopeSealer) throws {
        let name = Hex.encode(SHA256.hash(bytes))
        try repository.storeCall("store pack \(name.prefix(16))") { try repository.store.put(ObjectKey(.data, name), bytes) }
        repository.index.add(pack: name, entries: entries)
        let batch: [(pack: String, entries: [PackEntry])]? = locked {
            stats.packsStored += 1
            stats.bytesStored += UInt64(bytes.count)
            unindexed.append((name, entries))
            guard unindexed.count >= Self.packsPerIndex else { return nil }
            defer { unindexed = [] }
            return unindexed
        }
        if let batch { try writeIndex(batch, sealer: sealer) }
    }

    func countAdded(bytes: Int) {
        locked {
            stats.blobsAdded += 1
            stats.bytesAdded += UInt64(bytes)
        }
    }

    private func writeIndex(_ packs: [(pack: String, entries: [PackEntry])], sealer: EnvelopeSealer) throws {
        let compressor = try Compressor(codec: repository.config.codec, level: repository.config.compressionLevel)
        let bytes = try sealer.sealObject(IndexFile.encode(packs), compressor: compressor)
        let name = Hex.encode(SHA256.hash(bytes))
        try repository.storeCall("store index \(name.prefix(16))") { try repository.store.put(ObjectKey(.index, name), bytes) }
        locked { stats.indexesStored += 1 }
    }

    /// Writes the index for every pack not yet indexed. Call after every blob writer was flushed.
    public func finish() throws {
        let rest = locked {
            defer { unindexed = [] }
            return unindexed
        }
        if !rest.isEmpty { try writeIndex(rest, sealer: EnvelopeSealer(key: repository.key)) }
    }
}
