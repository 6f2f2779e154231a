import Crypto
import Foundation
import ObjectStore
import ObjectStoreTesting
import Repository
import Synchronization
import Testing

/// A memory store that commits recovery points as the vault does: it refuses a commit naming a missing object.
final class CommittingStore: RecoveryPointCommitting {
    struct Commit: Sendable {
        var object: ObjectKey
        var item: BackupItem
        var size: Int64
        var references: [ObjectKey]
    }

    let inner = MemoryStore(hasher: { Hex.encode(SHA256.hash($0)) })
    private let recorded = Mutex<[Commit]>([])
    var commits: [Commit] { recorded.withLock { $0 } }

    func put(_ key: ObjectKey, _ bytes: [UInt8]) throws { try inner.put(key, bytes) }
    func get(_ key: ObjectKey) throws -> [UInt8] { try inner.get(key) }
    func get(_ key: ObjectKey, range: Range<Int>) throws -> [UInt8] { try inner.get(key, range: range) }
    func head(_ key: ObjectKey) throws -> ObjectInfo { try inner.head(key) }
    func list(_ kind: ObjectKind) throws -> [ObjectInfo] { try inner.list(kind) }
    func delete(_ key: ObjectKey) throws { try inner.delete(key) }

    func commitRecoveryPoint(object: ObjectKey, item: BackupItem, time: String, size: Int64, retainUntil: String?,
                             references: [ObjectKey]) throws {
        _ = try inner.head(object)
        let missing = references.filter { (try? inner.head($0)) == nil }
        guard missing.isEmpty else {
            throw ObjectStoreError(.notFound, key: missing[0], message: "missing objects: \(missing.map(\.description))")
        }
        recorded.withLock { $0.append(Commit(object: object, item: item, size: size, references: references)) }
    }
}

@Suite("Repository: committing recovery points and forgetting collected packs")
struct RecoveryPointCommitTests {
    static let passphrase = Array("a passphrase of some length".utf8)
    static let identity = WriterIdentity(time: "2026-11-24T12:00:00Z", hostname: "host", username: "root")

    static func create(_ store: any ObjectStore) throws -> Repository {
        try Repository.create(store: store, passphrase: passphrase, cost: .testing, identity: identity)
    }

    /// Stores `chunks` as one file's content with one writer (so in packs of their own) and saves a point of them.
    @discardableResult
    static func backup(_ chunks: [[UInt8]], into repository: Repository, item: BackupItem = .filesAndFolders) throws
        -> (point: StoredRecoveryPoint, added: Int) {
        let writer = try RepositoryWriter(repository: repository)
        let blobs = try writer.makeBlobWriter()
        var node = Node(name: Array("file".utf8), kind: .regular)
        for chunk in chunks { node.content.append(try blobs.save(chunk, type: .data)) }
        node.size = UInt64(chunks.reduce(0) { $0 + $1.count })
        let tree = try blobs.save(Tree(nodes: [node]).encoded(), type: .tree)
        try blobs.flush()
        try writer.finish()
        var point = RecoveryPoint(time: "2026-11-24T12:00:00.5Z", hostname: "host", username: "root", paths: ["/file"], tree: tree)
        point.summary.bytes = node.size
        return (try repository.saveRecoveryPoint(point, item: item), writer.statistics.blobsAdded)
    }

    @Test("a point is committed after it is stored, naming exactly the packs of its blobs and the indexes locating them")
    func commitNamesReferences() throws {
        let store = CommittingStore()
        let repository = try Self.create(store)
        let old = SecureRandom.bytes(50_000), new = SecureRandom.bytes(60_000)
        let (first, _) = try Self.backup([old], into: repository)
        let item = BackupItem(kind: "volume", name: "/srv")
        let (second, _) = try Self.backup([new], into: repository, item: item)

        let commits = store.commits
        #expect(commits.count == 2)
        let commit = try #require(commits.last)
        #expect(commit.object == (try ObjectKey(.recoveryPoints, second.id)))
        #expect(commit.item == item)
        #expect(commit.size == 60_000)
        // Independently: the pack of each blob the second point needs, and the index objects that list those packs.
        let reopened = try Repository.open(store: store, passphrase: Self.passphrase)
        let tree = try #require(second.point.treeID)
        let contentID = try reopened.makeBlobReader().loadTree(tree).nodes[0].content[0]
        let packs = Set([tree, contentID].compactMap { reopened.index.location(of: $0)?.pack })
        let oldID = try reopened.makeBlobReader().loadTree(try #require(first.point.treeID)).nodes[0].content[0]
        let referencedPacks = Set(commit.references.filter { $0.kind == .data }.map(\.name))
        #expect(referencedPacks == packs)
        #expect(!referencedPacks.contains(try #require(reopened.index.location(of: oldID)).pack))
        let indexes = commit.references.filter { $0.kind == .index }
        #expect(!indexes.isEmpty)
        for pack in packs { #expect(indexes.map(\.name).contains(try #require(reopened.index.indexObject(ofPack: pack)))) }
        #expect(indexes.allSatisfy { (try? store.head($0)) != nil })
        #expect(commit.references.count == packs.count + indexes.count)
    }

    @Test("a commit refused because a referenced pack is gone fails the save with that reason")
    func refusedCommit() throws {
        let store = CommittingStore()
        let repository = try Self.create(store)
        let chunk = SecureRandom.bytes(40_000)
        let (first, _) = try Self.backup([chunk], into: repository)
        // The vault's garbage collection removed the chunk's pack after this repository loaded its index.
        let chunkID = try repository.makeBlobReader().loadTree(try #require(first.point.treeID)).nodes[0].content[0]
        let pack = try #require(store.list(.data).first { $0.key.name == repository.index.location(of: chunkID)?.pack })
        let loaded = try Repository.open(store: store, passphrase: Self.passphrase)
        try store.delete(pack.key)
        let error = #expect(throws: RepositoryError.self) { try Self.backup([chunk, SecureRandom.bytes(100)], into: loaded) }
        #expect(error?.code == .missing)
        #expect(error?.message.contains("commit recovery point") == true, "\(String(describing: error))")
        #expect(error?.message.contains(pack.key.name) == true)
        #expect(store.commits.count == 1)
    }

    @Test("loading the index drops entries whose pack is gone, so the next backup uploads that data again")
    func dropsEntriesOfMissingPacks() throws {
        let store = CommittingStore()
        let repository = try Self.create(store)
        let kept = SecureRandom.bytes(30_000), collected = SecureRandom.bytes(30_000)
        let (first, _) = try Self.backup([collected], into: repository)
        try Self.backup([kept], into: repository)
        let reader = repository.makeBlobReader()
        let collectedID = try reader.loadTree(try #require(first.point.treeID)).nodes[0].content[0]
        let pack = try #require(repository.index.location(of: collectedID)).pack
        try store.delete(ObjectKey(.data, pack))

        let reopened = try Repository.open(store: store, passphrase: Self.passphrase)
        #expect(!reopened.index.contains(collectedID))
        #expect(!reopened.index.hasPack(pack))
        #expect(reopened.index.blobCount > 0)
        let (_, added) = try Self.backup([kept, collected], into: reopened)
        #expect(added == 2, "the collected blob and the new tree are stored again; the kept blob is deduplicated")
        #expect(store.commits.count == 3)
    }
}
