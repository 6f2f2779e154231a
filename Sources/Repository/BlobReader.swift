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

    init(repository: Repository) {
        self.repository = repository
        opener = EnvelopeOpener(key: repository.key)
    }

    /// The plaintext of a blob, verified against its id.
    public func load(_ id: BlobID) throws -> [UInt8] {
        guard let location = repository.index.location(of: id) else {
            throw RepositoryError(.missing, "blob \(id) is not in the index; run `haven check`")
        }
        let key = try ObjectKey(.data, location.pack)
        let range = Int(location.offset)..<Int(location.offset) + Int(location.length)
        let envelope = try repository.storeCall("read pack \(location.pack.prefix(16))") {
            try reader(for: location.pack, key: key).read(range)
        }
        return try open(envelope, id: id, location: location)
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
