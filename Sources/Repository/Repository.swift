import Compression
import Crypto
import Foundation
import ObjectStore

/// An open repository: its store, its unlocked key, its config and the loaded index.
///
/// `@unchecked Sendable`: after `open` the stored properties are immutable, and `index` locks itself.
public final class Repository: @unchecked Sendable {
    public let store: any ObjectStore
    public let config: RepositoryConfig
    public let index = MasterIndex()
    let key: MasterKey
    let idHasher: HMACSHA256
    /// Trees already read by `references(of:)`, kept by the opener across repositories it opens; nil: none kept.
    let treeLinks: TreeLinkCache?
    /// The index kept by the opener across opens, which the index objects this repository's writers store join.
    let indexCache: IndexCache?

    init(store: any ObjectStore, key: MasterKey, config: RepositoryConfig, treeLinks: TreeLinkCache? = nil,
         indexCache: IndexCache? = nil) {
        self.store = store
        self.key = key
        self.config = config
        self.treeLinks = treeLinks
        self.indexCache = indexCache
        idHasher = HMACSHA256(key: key.idKey)
    }

    /// The chunker of this repository (its Gear table comes from the key).
    public func makeChunker() -> Chunker { Chunker(parameters: config.chunker, key: key.chunkerSeed) }

    /// A compressor for one thread, or nil when the repository stores blobs uncompressed. zstd frames carry no
    /// checksum of their own: every envelope is authenticated, and every blob's id is checked when it is read.
    func makeCompressor() throws -> Compressor? {
        config.codec == .none ? nil : try Compressor(codec: config.codec, level: config.compressionLevel, checksum: false)
    }

    /// A reader for one thread.
    public func makeBlobReader() -> BlobReader { BlobReader(repository: self) }

    /// Creates a repository in an empty store with one key slot for `passphrase`.
    public static func create(
        store: any ObjectStore, passphrase: [UInt8], config: RepositoryConfig? = nil,
        cost: KeySlotCost = .default, identity: WriterIdentity
    ) throws -> Repository {
        let existing = try storeCall("look for an existing repository") { try store.list(.keys) }
        guard existing.isEmpty else {
            throw RepositoryError(.alreadyExists, "a repository already exists there; open it instead of creating one")
        }
        let key = MasterKey.generate()
        let config = config ?? RepositoryConfig(id: Hex.encode(SecureRandom.bytes(32)))
        try config.validate()
        let repository = Repository(store: store, key: key, config: config)
        try repository.addKeySlot(passphrase: passphrase, cost: cost, identity: identity)
        let sealer = EnvelopeSealer(key: key)
        let plaintext = try JSONEncoder.sorted.encode(config)
        let object = try sealer.sealObject(Array(plaintext), compressor: nil)
        try storeCall("write the config") { try store.put(ObjectKey(.config, "config"), object) }
        return repository
    }

    /// Opens a repository, trying `passphrase` against every key slot, then loads the index.
    /// With `loadIndex: false` the index is left empty (for `check`, which loads it itself). `treeLinks` as in
    /// `open(store:masterKey:loadIndex:treeLinks:)`.
    public static func open(store: any ObjectStore, passphrase: [UInt8], loadIndex: Bool = true,
                            treeLinks: TreeLinkCache? = nil) throws -> Repository {
        let slots = try storeCall("list the key slots") { try store.list(.keys) }
        guard !slots.isEmpty else {
            throw RepositoryError(.notFound, "there is no repository there (no key slots); create one with `haven repo init`")
        }
        // The index is read (still sealed) while scrypt derives the key: over a vault that is the listing and the
        // downloads, locally the listing of every pack folder; both take about as long as the key.
        let index = loadIndex ? Prefetch(named: "haven-index-read") { try readIndex(from: store) } : nil
        var key: MasterKey?
        for slot in slots {
            let bytes = try storeCall("read key slot \(slot.key.name.prefix(16))") { try store.get(slot.key) }
            let file: KeyFile
            do { file = try JSONDecoder().decode(KeyFile.self, from: Data(bytes)) } catch { continue }
            if let unwrapped = try? file.unwrap(passphrase: passphrase) {
                key = unwrapped
                break
            }
        }
        guard let key else {
            _ = try? index?.value()
            throw RepositoryError(.wrongPassphrase, "the passphrase is wrong: it unlocks none of the repository's \(slots.count) key slot(s)")
        }
        let configBytes = try storeCall("read the config") { try store.get(ObjectKey(.config, "config")) }
        let plaintext = try EnvelopeOpener(key: key).openObject(configBytes, what: "the config")
        let config: RepositoryConfig
        do { config = try JSONDecoder().decode(RepositoryConfig.self, from: Data(plaintext)) } catch {
            throw RepositoryError(.corrupt, "the config is not valid JSON: \(error)")
        }
        try config.validate()
        let repository = Repository(store: store, key: key, config: config, treeLinks: treeLinks)
        if let index { try repository.loadIndex(try index.value()) }
        return repository
    }

    /// Adds a key slot for another passphrase (the first step of changing the passphrase).
    @discardableResult
    public func addKeySlot(passphrase: [UInt8], cost: KeySlotCost = .default, identity: WriterIdentity) throws -> String {
        let file = try KeyFile.wrap(key, passphrase: passphrase, cost: cost.cost, created: identity.time,
                                    hostname: identity.hostname, username: identity.username)
        let bytes = Array(try JSONEncoder.sorted.encode(file))
        let name = Hex.encode(SHA256.hash(bytes))
        try storeCall("write a key slot") { try store.put(ObjectKey(.keys, name), bytes) }
        return name
    }

    /// What loading the index reads from the store: the packs it lists, and every index object as stored (sealed).
    struct StoredIndex: Sendable {
        var packs: Set<String>
        var objects: [(name: String, sealed: [UInt8])]
    }

    /// Loads every index object into `index`, leaving out the packs the store no longer lists: the vault's garbage
    /// collection removes packs no recovery point references, and dedup must never point at a pack that is gone.
    func loadIndex() throws { try loadIndex(Self.readIndex(from: store)) }

    /// Lists the packs, then the index objects, and reads each: a pack stored meanwhile is at worst not deduplicated
    /// against.
    static func readIndex(from store: any ObjectStore) throws -> StoredIndex {
        let packs = Set(try storeCall("list the packs", { try store.list(.data) }).map(\.key.name))
        let objects = try storeCall("list the index", { try store.list(.index) }).map { info in
            (name: info.key.name, sealed: try storeCall("read index \(info.key.name.prefix(16))") { try store.get(info.key) })
        }
        return StoredIndex(packs: packs, objects: objects)
    }

    func loadIndex(_ stored: StoredIndex) throws {
        let opener = EnvelopeOpener(key: key)
        var stored = stored
        var objects: [(name: String, packs: [(pack: String, entries: [PackEntry])])] = []
        for position in stored.objects.indices {
            let name = stored.objects[position].name
            objects.append((name, try decodeIndexObject(name, sealed: stored.objects[position].sealed, opener: opener)))
            stored.objects[position].sealed = []
        }
        index.reserve(objects.reduce(0) { total, object in object.packs.reduce(total) { $0 + $1.entries.count } })
        for object in objects {
            for (pack, entries) in object.packs where stored.packs.contains(pack) {
                index.add(pack: pack, entries: entries, indexObject: object.name)
            }
        }
    }

    /// Reads the header of a stored pack.
    public func readPackHeader(_ pack: String, size: Int? = nil) throws -> [PackEntry] {
        let object = try ObjectKey(.data, pack)
        let total = try size ?? storeCall("look up pack \(pack.prefix(16))") { try store.head(object).size }
        guard total >= PackHeader.trailerSize + EnvelopeSealer.overhead else {
            throw RepositoryError(.corrupt, "pack \(pack.prefix(16)) is too short (\(total) bytes) to be a pack")
        }
        let trailer = try storeCall("read pack \(pack.prefix(16))") {
            try store.get(object, range: total - PackHeader.trailerSize..<total)
        }
        let headerLength = Int(UInt32(trailer[0]) | UInt32(trailer[1]) << 8 | UInt32(trailer[2]) << 16 | UInt32(trailer[3]) << 24)
        let headerStart = total - PackHeader.trailerSize - headerLength
        guard headerLength >= EnvelopeSealer.overhead, headerStart >= 0 else {
            throw RepositoryError(.corrupt, "pack \(pack.prefix(16)) has an impossible header length \(headerLength)")
        }
        let sealed = try storeCall("read pack \(pack.prefix(16))") {
            try store.get(object, range: headerStart..<total - PackHeader.trailerSize)
        }
        let plaintext = try EnvelopeOpener(key: key).openObject(sealed, what: "the header of pack \(pack.prefix(16))")
        do { return try PackHeader.decode(plaintext, headerOffset: headerStart, pack: pack) } catch {
            throw RepositoryError(.corrupt, error.description)
        }
    }

    /// Finds packs that no index names (left by an interrupted backup) and adds their blobs to the index.
    /// Returns them so a writer can index them for good.
    public func adoptUnindexedPacks() throws -> [(pack: String, entries: [PackEntry])] {
        var adopted: [(pack: String, entries: [PackEntry])] = []
        for info in try storeCall("list the packs", { try store.list(.data) }) where !index.hasPack(info.key.name) {
            guard let entries = try? readPackHeader(info.key.name, size: info.size) else { continue }
            index.add(pack: info.key.name, entries: entries)
            adopted.append((info.key.name, entries))
        }
        return adopted
    }

    static func storeCall<R>(_ what: String, _ body: () throws -> R) throws -> R {
        do { return try body() } catch let error as RepositoryError { throw error } catch let error as ObjectStoreError {
            let code: RepositoryError.Code = error.code == .notFound ? .missing : .storage
            throw RepositoryError(code, "could not \(what): \(error)")
        } catch {
            throw RepositoryError(.storage, "could not \(what): \(error)")
        }
    }

    func storeCall<R>(_ what: String, _ body: () throws -> R) throws -> R { try Self.storeCall(what, body) }
}

/// Who writes a key slot or a recovery point, and when; the caller supplies the time (domain code never reads the clock).
public struct WriterIdentity: Sendable {
    public var time: String
    public var hostname: String
    public var username: String

    public init(time: String, hostname: String, username: String) {
        self.time = time
        self.hostname = hostname
        self.username = username
    }
}

/// The scrypt cost of a new key slot.
public struct KeySlotCost: Sendable {
    var cost: KeyFile.Cost

    /// N = 2^15, r = 8, p = 1: 32 MiB and about 0.1 s per attempt.
    public static let `default` = KeySlotCost(cost: KeyFile.Cost())
    /// Cheap parameters for tests only.
    public static let testing = KeySlotCost(cost: KeyFile.Cost(n: 1 << 10, r: 8, p: 1))
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension Repository {
    /// Adds a slot for `newPassphrase`, then removes every slot that `oldPassphrase` opens. Data is not re-encrypted.
    /// Returns how many slots were removed.
    public func replaceKeySlots(unlockedBy oldPassphrase: [UInt8], with newPassphrase: [UInt8], cost: KeySlotCost = .default,
                                identity: WriterIdentity) throws -> Int {
        let slots = try storeCall("list the key slots") { try store.list(.keys) }
        let added = try addKeySlot(passphrase: newPassphrase, cost: cost, identity: identity)
        var removed = 0
        for slot in slots where slot.key.name != added {
            let bytes = try storeCall("read a key slot") { try store.get(slot.key) }
            guard let file = try? JSONDecoder().decode(KeyFile.self, from: Data(bytes)),
                (try? file.unwrap(passphrase: oldPassphrase)) != nil
            else { continue }
            try storeCall("remove the old key slot") { try store.delete(slot.key) }
            removed += 1
        }
        return removed
    }
}
