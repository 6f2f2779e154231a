/// The index cache against a real vault on loopback: a second open reads only the index objects stored since the
/// first, what a cached repository writes needs no read, and what the vault removes or replaces is followed exactly.
import Crypto
import Foundation
import ObjectStore
import Repository
import Testing
import VaultClient

@Suite("The index cache over the vault, on loopback", .serialized)
struct IndexCacheTests {
    static let passphrase = Array("the index cache's passphrase".utf8)
    static let identity = WriterIdentity(time: "2026-11-24T12:00:00Z", hostname: "web-01", username: "root")

    static func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }

    /// Stores `count` blobs of random bytes, each in a pack of its own, and one index object naming those packs.
    static func storeBlobs(_ count: Int, in repository: Repository) throws -> [BlobID] {
        let writer = try RepositoryWriter(repository: repository)
        var ids: [BlobID] = []
        for _ in 0..<count {
            let blobs = try writer.makeBlobWriter()
            ids.append(try blobs.save(random(20_000), type: .data))
            try blobs.flush()
        }
        try writer.finish()
        return ids
    }

    /// Commits a point whose one file holds `content`.
    static func commit(_ content: [BlobID], in repository: Repository) throws {
        let writer = try RepositoryWriter(repository: repository)
        let blobs = try writer.makeBlobWriter()
        var node = Node(name: Array("file".utf8), kind: .regular)
        node.content = content
        let tree = try blobs.save(Tree(nodes: [node]).encoded(), type: .tree)
        try blobs.flush()
        try writer.finish()
        _ = try repository.saveRecoveryPoint(RecoveryPoint(time: identity.time, hostname: "web-01", username: "root",
                                                           paths: ["/file"], tree: tree))
    }

    /// What an index says: every blob's location, and the index object that locates each pack.
    struct View: Equatable {
        var blobs: [BlobID: BlobLocation]
        var indexObjects: [String: String]

        init(_ repository: Repository) {
            blobs = Dictionary(uniqueKeysWithValues: repository.index.allBlobs())
            indexObjects = Dictionary(Set(blobs.values.map(\.pack)).map { ($0, repository.index.indexObject(ofPack: $0) ?? "none") },
                                      uniquingKeysWith: { first, _ in first })
        }
    }

    /// A vault with one machine, its store and a repository created in it.
    static func makeRepository(_ vault: LoopbackVault, machine: String = "web-01") throws -> (VaultSession, VaultObjectStore, Repository) {
        let session = vault.session(try vault.register(machine))
        let store = session.objectStore()
        return (session, store, try Repository.create(store: store, passphrase: passphrase, cost: .testing, identity: identity))
    }

    @Test("a second open lists the index and reads only the objects stored since the first, and finds every blob")
    func secondOpenReadsOnlyNewObjects() throws {
        let vault = try LoopbackVault()
        let (_, store, created) = try Self.makeRepository(vault)
        let early = try Self.storeBlobs(2, in: created) + Self.storeBlobs(1, in: created)
        let key = created.exportMasterKey()
        let cache = IndexCache()
        _ = try Repository.open(store: store, masterKey: key, indexCache: cache)
        #expect(cache.lastLoad.listed == 2 && cache.lastLoad.read == 2)

        // Written by a repository opened without the cache: new to it.
        let late = try Self.storeBlobs(3, in: created)
        vault.recorder.reset()
        let again = try Repository.open(store: store, masterKey: key, indexCache: cache)
        #expect(cache.lastLoad.listed == 3 && cache.lastLoad.read == 1 && cache.lastLoad.dropped == 0 && !cache.lastLoad.fromScratch)
        #expect(vault.recorder.count("GET", containing: "/objects/index/") == 1,
                "\(vault.recorder.entries.map { "\($0.method) \($0.path)" })")
        #expect((early + late).allSatisfy(again.index.contains))
        #expect(View(again) == View(try Repository.open(store: store, masterKey: key)))
    }

    @Test("what a writer of a repository opened with the cache stores is in it: the next open reads no index object")
    func writtenObjectsNeedNoRead() throws {
        let vault = try LoopbackVault()
        let (_, store, created) = try Self.makeRepository(vault)
        _ = try Self.storeBlobs(1, in: created)
        let key = created.exportMasterKey()
        let cache = IndexCache()
        let opened = try Repository.open(store: store, masterKey: key, indexCache: cache)
        let written = try Self.storeBlobs(2, in: opened) + Self.storeBlobs(1, in: opened)
        #expect(cache.count == 3)

        vault.recorder.reset()
        let next = try Repository.open(store: store, masterKey: key, indexCache: cache)
        #expect(cache.lastLoad.listed == 3 && cache.lastLoad.read == 0)
        #expect(vault.recorder.count("GET", containing: "/objects/index/") == 0)
        #expect(written.allSatisfy(next.index.contains))
        #expect(View(next) == View(try Repository.open(store: store, masterKey: key)))
    }

    @Test("after garbage collection removes a pack and an index object, the next open drops them without a read, and a backup stores the collected blob again")
    func collectedObjectsAreDropped() throws {
        let vault = try LoopbackVault()
        let (session, store, repository) = try Self.makeRepository(vault)
        // One index object for two packs, of which a point references only the first; then one object for a pack
        // no point references.
        let kept = Self.random(50_000), dropped = Self.random(50_000)
        let writer = try RepositoryWriter(repository: repository)
        let keptWriter = try writer.makeBlobWriter(), droppedWriter = try writer.makeBlobWriter()
        let keptID = try keptWriter.save(kept, type: .data), droppedID = try droppedWriter.save(dropped, type: .data)
        try keptWriter.flush()
        try droppedWriter.flush()
        try writer.finish()
        try Self.commit([keptID], in: repository)
        let unreferenced = try Self.storeBlobs(1, in: repository)[0]
        try store.close()

        let key = repository.exportMasterKey()
        let cache = IndexCache()
        let before = try Repository.open(store: session.objectStore(), masterKey: key, indexCache: cache)
        #expect(before.index.contains(droppedID) && before.index.contains(unreferenced) && cache.count == 3)
        vault.clock.advance(2 * 3600)
        #expect(try vault.service.collectGarbage().objects == 3, "the dropped pack, the unreferenced pack and its index object")

        let later = session.objectStore()
        vault.recorder.reset()
        let after = try Repository.open(store: later, masterKey: key, indexCache: cache)
        #expect(cache.lastLoad.listed == 2 && cache.lastLoad.read == 0 && cache.lastLoad.dropped == 1 && !cache.lastLoad.fromScratch)
        #expect(cache.count == 2, "the collected index object is no longer held")
        #expect(vault.recorder.count("GET", containing: "/objects/index/") == 0)
        #expect(after.index.contains(keptID) && !after.index.contains(droppedID) && !after.index.contains(unreferenced))
        #expect(View(after) == View(try Repository.open(store: later, masterKey: key)))

        // No stale entry: the collected blob is stored again and the vault accepts the commit.
        let again = try RepositoryWriter(repository: after)
        let blobs = try again.makeBlobWriter()
        let content = [try blobs.save(kept, type: .data), try blobs.save(dropped, type: .data)]
        try blobs.flush()
        try again.finish()
        #expect(again.statistics.blobsAdded == 1)
        try Self.commit(content, in: after)
        #expect(try session.recoveryPoints().count == 2)
        try later.close()
    }

    @Test("an index object replaced by another that locates the same pack makes the next open read everything again, matching a load without the cache")
    func replacedObjectStartsFromScratch() throws {
        let vault = try LoopbackVault()
        let (session, store, created) = try Self.makeRepository(vault)
        let key = created.exportMasterKey()
        // A backup interrupted after storing its pack: no index object names it.
        let interrupted = try RepositoryWriter(repository: created)
        let blobs = try interrupted.makeBlobWriter()
        let id = try blobs.save(Self.random(30_000), type: .data)
        try blobs.flush()
        try interrupted.waitForUploads()
        let pack = try #require(created.index.location(of: id)).pack

        // Two later backups adopt it, each writing an index object of its own for it.
        let firstAdopter = try Repository.open(store: store, masterKey: key), secondAdopter = try Repository.open(store: store, masterKey: key)
        let firstWriter = try RepositoryWriter(repository: firstAdopter), secondWriter = try RepositoryWriter(repository: secondAdopter)
        try firstWriter.finish()
        let cache = IndexCache()
        _ = try Repository.open(store: store, masterKey: key, indexCache: cache)
        let replaced = try #require(firstAdopter.index.indexObject(ofPack: pack))
        try secondWriter.finish()
        let replacement = try #require(secondAdopter.index.indexObject(ofPack: pack))
        #expect(replaced != replacement)

        // The second one's point references the pack through its own object, so garbage collection removes the first.
        try Self.commit([id], in: secondAdopter)
        try store.close()
        vault.clock.advance(2 * 3600)
        #expect(try vault.service.collectGarbage().objects == 1)

        let later = session.objectStore()
        let reopened = try Repository.open(store: later, masterKey: key, indexCache: cache)
        #expect(cache.lastLoad.fromScratch && cache.lastLoad.dropped == 1 && cache.lastLoad.read == cache.lastLoad.listed)
        #expect(reopened.index.contains(id) && reopened.index.indexObject(ofPack: pack) == replacement)
        #expect(View(reopened) == View(try Repository.open(store: later, masterKey: key)))
        try later.close()
    }

    @Test("a damaged index object in the vault is refused as it is without the cache; a wrong key too; another repository replaces what the cache held")
    func damageAndOtherKeys() throws {
        let vault = try LoopbackVault()
        let (_, store, created) = try Self.makeRepository(vault)
        let mine = try Self.storeBlobs(1, in: created)
        let key = created.exportMasterKey()
        let cache = IndexCache()
        _ = try Repository.open(store: store, masterKey: key, indexCache: cache)

        var wrongKey = key
        wrongKey[0] ^= 1
        let wrong = #expect(throws: RepositoryError.self) { try Repository.open(store: store, masterKey: wrongKey, indexCache: cache) }
        #expect(wrong?.code == .wrongPassphrase)
        #expect(cache.count == 1, "a key that opens nothing leaves the cache as it was")

        // Bytes that are no index object, stored under their own hash.
        let damaged = Self.random(300)
        try store.put(ObjectKey(.index, Hex.encode(SHA256.hash(damaged))), damaged)
        let cached = #expect(throws: RepositoryError.self) { try Repository.open(store: store, masterKey: key, indexCache: cache) }
        let plain = #expect(throws: RepositoryError.self) { try Repository.open(store: store, masterKey: key) }
        #expect(cached != nil && cached?.code == plain?.code && cached?.message == plain?.message, "\(String(describing: cached))")
        #expect(cache.count == 1, "a damaged object is not kept")

        // Another machine's repository (another key) through the same cache: it holds that one's index only.
        let (_, otherStore, other) = try Self.makeRepository(vault, machine: "web-02")
        let theirs = try Self.storeBlobs(2, in: other) + Self.storeBlobs(1, in: other)
        let opened = try Repository.open(store: otherStore, masterKey: other.exportMasterKey(), indexCache: cache)
        #expect(cache.lastLoad.read == 2 && cache.count == 2)
        #expect(theirs.allSatisfy(opened.index.contains) && !opened.index.contains(mine[0]))
    }

    @Test("the second open of a large index through the cache reads only the listings, and is timed")
    func secondOpenOfALargeIndex() throws {
        // HAVEN_INDEX_BLOBS=80000 gives the Linux tree's number of blobs, for a measurement.
        let count = ProcessInfo.processInfo.environment["HAVEN_INDEX_BLOBS"].flatMap(Int.init) ?? 20_000
        let vault = try LoopbackVault()
        let (_, store, created) = try Self.makeRepository(vault)
        let writer = try RepositoryWriter(repository: created)
        let blobs = try writer.makeBlobWriter()
        for number in 0..<count { _ = try blobs.save(Array("blob \(number)".utf8), type: .data) }
        try blobs.flush()
        try writer.finish()
        let key = created.exportMasterKey()
        func milliseconds(_ body: () throws -> Repository) rethrows -> (Repository, Double) {
            let start = DispatchTime.now().uptimeNanoseconds
            let repository = try body()
            return (repository, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let (_, plain) = try milliseconds { try Repository.open(store: store, masterKey: key) }
        let cache = IndexCache()
        let (_, first) = try milliseconds { try Repository.open(store: store, masterKey: key, indexCache: cache) }
        vault.recorder.reset()
        let (opened, second) = try milliseconds { try Repository.open(store: store, masterKey: key, indexCache: cache) }
        #expect(cache.lastLoad.read == 0 && vault.recorder.count("GET", containing: "/objects/index/") == 0)
        #expect(opened.index.blobCount == count)
        print(String(format: "index of %d blobs: open without the cache %.1f ms, first open with it %.1f ms, second %.1f ms",
                     count, plain, first, second))
    }
}
