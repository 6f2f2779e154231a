import Crypto
import ObjectStore
import Synchronization

/// IndexCache keeps, between opens of one repository by a long-lived process (the agent), the index it loaded, so
/// the next open lists the index objects and reads only the new ones.
///
/// Index objects are named by the SHA-256 of their bytes and never modified (format.md), so one read stays true as
/// long as the store lists it. Every open still lists the packs and the index objects: an object no longer listed is
/// dropped with its packs, and so is a pack the vault collected. When that cannot be done exactly (an object's size
/// changed under its name, a dropped pack is named by another object, a dropped blob is also in another pack, a pack
/// left out earlier is listed again) the cache starts again empty and reads every object. What a writer of a
/// repository opened with the cache stores is added to it as written. One repository at a time: opening another one,
/// or the same with another key, replaces what it holds. `Sendable` through its `Mutex`; opens take turns.
public final class IndexCache: Sendable {
    /// What the last open read.
    public struct Load: Sendable, Equatable {
        /// Index objects the store listed.
        public var listed = 0
        /// Index objects read (downloaded and decrypted).
        public var read = 0
        /// Index objects no longer listed, dropped from the cache.
        public var dropped = 0
        /// True when the cache could not follow the store exactly and read every object again.
        public var fromScratch = false
    }

    private struct Object {
        var size: Int
        var packs: [String]
    }

    private struct State {
        /// The repository and key the cache holds the index of.
        var owner = ""
        var objects: [String: Object] = [:]
        var table = IndexTable()
        /// Blobs located in more than one pack: dropping one of those packs would need entries the cache did not keep.
        var duplicated: Set<BlobID> = []
        /// Packs named by a cached object but left out of `table`, because the store did not list them then.
        var excluded: Set<String> = []
        var last = Load()

        mutating func add(_ object: Repository.IndexObject, listed: (String) -> Bool) {
            objects[object.name] = Object(size: object.size, packs: object.packs.map(\.pack))
            for (pack, entries) in object.packs {
                guard listed(pack) else {
                    excluded.insert(pack)
                    continue
                }
                table.add(pack: pack, entries: entries, indexObject: object.name) { duplicated.insert($0) }
            }
        }

        /// Forgets the objects `gone` and the packs the store no longer lists (not in `packs`), as if the index were
        /// loaded anew with the objects `fresh` added; false, changing nothing, when that cannot be done exactly.
        mutating func drop(_ gone: [String], keeping packs: Set<String>, adding fresh: [Repository.IndexObject]) -> Bool {
            let goneNames = Set(gone)
            var named = Set<String>()
            for (name, object) in objects where !goneNames.contains(name) { named.formUnion(object.packs) }
            let freshPacks = Set(fresh.flatMap { $0.packs.map(\.pack) })
            var removed = Set(table.packNumbers.keys.filter { !packs.contains($0) })
            for name in gone {
                for pack in objects[name]!.packs {
                    // Another object locates this pack too, perhaps with other entries.
                    if named.contains(pack) || freshPacks.contains(pack) { return false }
                    removed.insert(pack)
                }
            }
            // A pack left out when its object was read is listed again: its entries were not kept.
            if excluded.contains(where: { packs.contains($0) && named.contains($0) }) { return false }
            if !duplicated.isEmpty, table.blobs(in: removed).contains(where: duplicated.contains) { return false }
            table.remove(packs: removed)
            for name in gone { objects[name] = nil }
            excluded = excluded.union(removed).intersection(named)
            return true
        }
    }

    private let state = Mutex(State())

    public init() {}

    /// What the last open read.
    public var lastLoad: Load { state.withLock { $0.last } }

    /// Index objects held.
    public var count: Int { state.withLock { $0.objects.count } }

    /// Lists the packs and index objects of `repository`'s store, reads the objects not held yet, drops what is no
    /// longer listed, and hands the repository a copy of the result (leaving out packs the store does not list).
    func load(into repository: Repository) throws {
        let owner = repository.indexCacheOwner
        let table = try state.withLock { state -> IndexTable in
            if state.owner != owner { state = State(owner: owner) }
            let packs = Set(try repository.storeCall("list the packs") { try repository.store.list(.data) }.map(\.key.name))
            let listing = try repository.storeCall("list the index") { try repository.store.list(.index) }
            var load = Load(listed: listing.count)
            let listed = Set(listing.map(\.key.name))
            let gone = state.objects.keys.filter { !listed.contains($0) }
            // Same name, another size: not the object that was read, so nothing held can be trusted to follow exactly.
            let replaced = listing.contains { info in state.objects[info.key.name].map { $0.size != info.size } ?? false }
            var fresh = try listing.filter { state.objects[$0.key.name] == nil }.map { try repository.readIndexObject($0) }
            if replaced || !state.drop(gone, keeping: packs, adding: fresh) {
                state = State(owner: owner)
                let read = Set(fresh.map(\.name))
                fresh += try listing.filter { !read.contains($0.key.name) }.map { try repository.readIndexObject($0) }
                load.fromScratch = true
            }
            state.table.blobs.reserveCapacity(state.table.blobs.count + fresh.reduce(0) { $0 + $1.entryCount })
            for object in fresh { state.add(object, listed: packs.contains) }
            load.read = fresh.count
            load.dropped = gone.count
            state.last = load
            return state.table
        }
        repository.index.load(table)
    }

    /// Adds an index object a writer of `owner`'s repository stored (its packs are stored, so all of them count).
    func record(_ object: Repository.IndexObject, owner: String) {
        state.withLock { state in
            guard state.owner == owner, state.objects[object.name] == nil else { return }
            state.add(object, listed: { _ in true })
        }
    }
}

extension Repository {
    /// One index object as read and decoded: its name, its stored size, and the blobs it locates, pack by pack.
    struct IndexObject: Sendable {
        var name: String
        var size: Int
        var packs: [(pack: String, entries: [PackEntry])]

        var entryCount: Int { packs.reduce(0) { $0 + $1.entries.count } }
    }

    /// Reads, decrypts and decodes one listed index object.
    func readIndexObject(_ info: ObjectInfo) throws -> IndexObject {
        let sealed = try storeCall("read index \(info.key.name.prefix(16))") { try store.get(info.key) }
        let packs = try decodeIndexObject(info.key.name, sealed: sealed, opener: EnvelopeOpener(key: key))
        return IndexObject(name: info.key.name, size: sealed.count, packs: packs)
    }

    /// Decrypts and decodes a stored index object; a damaged one is `corrupt`.
    func decodeIndexObject(_ name: String, sealed: [UInt8], opener: EnvelopeOpener) throws -> [(pack: String, entries: [PackEntry])] {
        let plaintext = try opener.openObject(sealed, what: "index \(name.prefix(16))")
        do { return try IndexFile.decode(plaintext, name: name) } catch { throw RepositoryError(.corrupt, error.description) }
    }

    /// Who an `IndexCache` holds the index for: this repository's id and a keyed hash that changes with the key.
    var indexCacheOwner: String {
        config.id + ":" + Hex.encode(idHasher.authenticate(Array("haven index cache".utf8)))
    }
}
