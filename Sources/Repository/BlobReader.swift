import Crypto
import ObjectStore

/// Reads blobs: finds them in the index, fetches the envelope, decrypts, expands and checks the id.
///
/// Not Sendable (it caches session keys): one per thread.
public final class BlobReader {
    let repository: Repository
    let opener: EnvelopeOpener
    /// With `wholePacks`, the last pack read is kept in memory: a restore reads blobs in about the order
    /// they were packed, so one read of a pack serves many blobs.
    private let wholePacks: Bool
    private var cachedPack: (name: String, bytes: [UInt8])?

    init(repository: Repository, wholePacks: Bool = false) {
        self.repository = repository
        self.wholePacks = wholePacks
        opener = EnvelopeOpener(key: repository.key)
    }

    /// The plaintext of a blob, verified against its id.
    public func load(_ id: BlobID) throws -> [UInt8] {
        guard let location = repository.index.location(of: id) else {
            throw RepositoryError(.missing, "blob \(id) is not in the index; run `haven check`")
        }
        let key = try ObjectKey(.data, location.pack)
        let range = Int(location.offset)..<Int(location.offset) + Int(location.length)
        if wholePacks {
            if cachedPack?.name != location.pack {
                cachedPack = nil
                let bytes = try repository.storeCall("read pack \(location.pack.prefix(16))") { try repository.store.get(key) }
                cachedPack = (location.pack, bytes)
            }
            guard let pack = cachedPack?.bytes, range.upperBound <= pack.count else {
                throw RepositoryError(.corrupt, "blob \(id) lies beyond the end of pack \(location.pack.prefix(16))")
            }
            return try open(Array(pack[range]), id: id, location: location)
        }
        let envelope = try repository.storeCall("read pack \(location.pack.prefix(16))") { try repository.store.get(key, range: range) }
        return try open(envelope, id: id, location: location)
    }

    /// Decrypts one blob's envelope (e.g. cut from a pack read whole) and verifies its id.
    public func open(_ envelope: [UInt8], id: BlobID, location: BlobLocation) throws -> [UInt8] {
        let plaintext = try envelope.withUnsafeBytes { raw in
            try opener.openBlob(raw, expectedSize: Int(location.rawLength), what: "blob \(id) in pack \(location.pack.prefix(16))")
        }
        let actual = plaintext.withUnsafeBytes { repository.idHasher.authenticate($0) }
        guard let actualID = BlobID(bytes: actual), actualID == id else {
            throw RepositoryError(.corrupt, "blob \(id) in pack \(location.pack.prefix(16)) does not match its id")
        }
        return plaintext
    }

    public func loadTree(_ id: BlobID) throws -> Tree {
        let bytes = try load(id)
        do { return try Tree.decode(bytes, id: id) } catch { throw RepositoryError(.corrupt, error.description) }
    }
}
