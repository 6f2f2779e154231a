import Compression
import Crypto

/// Turns plaintext into stored blobs on one thread: id, dedup, compress, encrypt, verify, pack.
///
/// Not Sendable: it owns a compressor, a sealer and a pack in progress. One per worker thread.
public final class BlobWriter {
    let parent: RepositoryWriter
    private let sealer: EnvelopeSealer
    private let opener: EnvelopeOpener
    private let compressor: Compressor?
    private let hasher: HMACSHA256
    private let pack: PackBuilder
    private var payload: [UInt8] = []

    init(parent: RepositoryWriter) throws {
        self.parent = parent
        let repository = parent.repository
        sealer = EnvelopeSealer(key: repository.key)
        opener = EnvelopeOpener(key: repository.key)
        let codec = repository.config.codec
        compressor = codec == .none ? nil : try Compressor(codec: codec, level: repository.config.compressionLevel)
        hasher = repository.idHasher
        pack = PackBuilder(targetSize: repository.config.packSize)
    }

    /// The keyed id of a plaintext.
    public func id(of plaintext: UnsafeRawBufferPointer) -> BlobID {
        BlobID(bytes: hasher.authenticate(plaintext))!
    }

    /// Stores a blob unless the repository (or another writer) has it already. Returns its id.
    @discardableResult
    public func save(_ plaintext: UnsafeRawBufferPointer, type: BlobType) throws -> BlobID {
        let id = id(of: plaintext)
        try save(plaintext, id: id, type: type)
        return id
    }

    @discardableResult
    public func save(_ bytes: [UInt8], type: BlobType) throws -> BlobID {
        try bytes.withUnsafeBytes { try save($0, type: type) }
    }

    /// Stores a blob whose id the caller computed; returns whether it was new.
    @discardableResult
    public func save(_ plaintext: UnsafeRawBufferPointer, id: BlobID, type: BlobType) throws -> Bool {
        guard parent.repository.index.claim(id) else { return false }
        do {
            try append(plaintext, id: id, type: type)
        } catch {
            parent.repository.index.release(id)
            throw error
        }
        parent.countAdded(bytes: plaintext.count)
        if pack.isFull { try flush() }
        return true
    }

    private func append(_ plaintext: UnsafeRawBufferPointer, id: BlobID, type: BlobType) throws {
        payload.removeAll(keepingCapacity: true)
        payload.append(Codec.none.rawValue)
        if let compressor, try compressor.compress(plaintext, into: &payload) {
            payload[0] = compressor.codec.rawValue
        } else {
            payload.append(contentsOf: plaintext)
        }
        let start = pack.count
        try payload.withUnsafeBytes { raw in try pack.withBuffer { try sealer.seal(raw, into: &$0) } }
        do {
            try verify(start: start, id: id, rawLength: plaintext.count)
        } catch {
            pack.truncate(to: start)
            throw error
        }
        pack.recordBlob(type: type, id: id, start: start, rawLength: plaintext.count)
    }

    /// Decrypts and re-hashes what was just sealed: a blob never leaves the process unverified.
    private func verify(start: Int, id: BlobID, rawLength: Int) throws {
        let plain = try pack.withBuffer { buffer in
            try buffer.withUnsafeBytes { raw in
                try opener.openBlob(UnsafeRawBufferPointer(rebasing: raw[start...]), expectedSize: rawLength,
                                    what: "the blob just written")
            }
        }
        guard plain.withUnsafeBytes({ BlobID(bytes: hasher.authenticate($0)) }) == id else {
            throw RepositoryError(.corrupt, "blob \(id) did not verify after encryption (memory or CPU fault?); nothing was stored")
        }
    }

    /// Stores the pack in progress, if any.
    public func flush() throws {
        guard !pack.isEmpty else { return }
        let (bytes, entries) = try pack.finish(sealer: sealer)
        try parent.store(pack: bytes, entries: entries)
    }
}
