import Compression
import Crypto
import Glibc

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
    /// Reused for every blob: the envelope being made, and the payload and plaintext it reads back as.
    private let envelope = ScratchBuffer()
    private let readBackPayload = ScratchBuffer()
    private let readBackPlaintext = ScratchBuffer()

    init(parent: RepositoryWriter) throws {
        self.parent = parent
        let repository = parent.repository
        sealer = EnvelopeSealer(key: repository.key)
        opener = EnvelopeOpener(key: repository.key)
        compressor = try repository.makeCompressor()
        hasher = repository.idHasher
        pack = PackBuilder(targetSize: repository.config.packSize, directory: parent.stagingDirectory)
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
        let sealed = try sealer.sealBlob(plaintext, compressor: compressor, in: envelope)
        try verify(sealed, plaintext: plaintext, id: id)
        try pack.append(sealed, type: type, id: id, rawLength: plaintext.count)
        envelope.trim()
        readBackPayload.trim()
        readBackPlaintext.trim()
    }

    /// Decrypts and expands what was just sealed and compares it with the plaintext it was made from:
    /// a blob never leaves the process unless it reads back as exactly what was given (and so has its id).
    private func verify(_ sealed: UnsafeRawBufferPointer, plaintext: UnsafeRawBufferPointer, id: BlobID) throws {
        let readBack = try opener.openBlob(sealed, expectedSize: plaintext.count, payload: readBackPayload,
                                           plaintext: readBackPlaintext, what: "the blob just written")
        let same = readBack.count == plaintext.count
            && (plaintext.count == 0 || memcmp(readBack.baseAddress!, plaintext.baseAddress!, plaintext.count) == 0)
        guard same else {
            throw RepositoryError(.corrupt, "blob \(id) did not read back as written after encryption (memory or CPU fault?); nothing was stored")
        }
    }

    /// Stores the pack in progress, if any.
    public func flush() throws {
        guard !pack.isEmpty else { return }
        let finished = try pack.finish(sealer: sealer)
        try parent.store(packFile: finished.path, entries: finished.entries, size: finished.size)
    }
}
