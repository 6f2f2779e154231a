import Crypto
import ObjectStore

/// Reads blobs: finds them in the index, fetches the envelope, decrypts, expands and checks the id.
///
/// Not Sendable (it caches session keys): one per thread.
public final class BlobReader {
    let repository: Repository
    let opener: EnvelopeOpener
    /// Packs held open for ranged reads, most recently used last.
    private var openPacks: [(name: String, reader: any ObjectReader)] = []
    static let openPackLimit = 8
    /// Reused by `withBlob` for a blob's decrypted payload and its plaintext.
    private let payload = ScratchBuffer()
    private let plaintext = ScratchBuffer()

    init(repository: Repository) {
        self.repository = repository
        opener = EnvelopeOpener(key: repository.key)
    }

    /// The plaintext of a blob, verified against its id.
    public func load(_ id: BlobID) throws -> [UInt8] {
        let (envelope, location) = try fetch(id)
        return try open(envelope, id: id, location: location)
    }

    /// Calls `body` with the plaintext of a blob, verified against its id, in memory this reader reuses for every
    /// blob (valid only during the call): a restore writing blob after blob allocates nothing per blob.
    public func withBlob<R>(_ id: BlobID, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let (envelope, location) = try fetch(id)
        let what = "blob \(id) in pack \(location.pack.prefix(16))"
        let opened = try envelope.withUnsafeBytes { raw in
            try opener.openBlob(raw, expectedSize: Int(location.rawLength), payload: payload, plaintext: plaintext, what: what)
        }
        try verify(opened, id: id, location: location)
        defer {
            payload.trim()
            plaintext.trim()
        }
        return try body(opened)
    }

    private func fetch(_ id: BlobID) throws -> ([UInt8], BlobLocation) {
        guard let location = repository.index.location(of: id) else {
            throw RepositoryError(.missing, "blob \(id) is not in the index; run `haven check`")
        }
        let key = try ObjectKey(.data, location.pack)
        let range = Int(location.offset)..<Int(location.offset) + Int(location.length)
        let envelope = try repository.storeCall("read pack \(location.pack.prefix(16))") {
            try reader(for: location.pack, key: key).read(range)
        }
        return (envelope, location)
    }

    private func reader(for pack: String, key: ObjectKey) throws -> any ObjectReader {
        if let index = openPacks.lastIndex(where: { $0.name == pack }) {
            let entry = openPacks.remove(at: index)
            openPacks.append(entry)
            return entry.reader
        }
        let reader = try repository.store.openReader(key)
        if openPacks.count >= Self.openPackLimit { openPacks.removeFirst() }
        openPacks.append((pack, reader))
        return reader
    }

    /// Decrypts one blob's envelope (e.g. cut from a pack read whole) and verifies its id.
    public func open(_ envelope: [UInt8], id: BlobID, location: BlobLocation) throws -> [UInt8] {
        let plaintext = try envelope.withUnsafeBytes { raw in
            try opener.openBlob(raw, expectedSize: Int(location.rawLength), what: "blob \(id) in pack \(location.pack.prefix(16))")
        }
        try plaintext.withUnsafeBytes { try verify($0, id: id, location: location) }
        return plaintext
    }

    private func verify(_ plaintext: UnsafeRawBufferPointer, id: BlobID, location: BlobLocation) throws {
        guard let actualID = BlobID(bytes: repository.idHasher.authenticate(plaintext)), actualID == id else {
            throw RepositoryError(.corrupt, "blob \(id) in pack \(location.pack.prefix(16)) does not match its id")
        }
    }

    public func loadTree(_ id: BlobID) throws -> Tree {
        let bytes = try load(id)
        do { return try Tree.decode(bytes, id: id) } catch { throw RepositoryError(.corrupt, error.description) }
    }
}
