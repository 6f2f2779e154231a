import Crypto
import FileIO
import Foundation
import ObjectStore
import ObjectStoreTesting
import Repository
import Testing

@Suite("Repository: references(of:) with a tree link cache")
struct TreeLinkCacheTests {
    /// A point of /a/b/file: three trees, the file's two chunks and the trees in packs of the one writer.
    static func point(in repository: Repository) throws -> RecoveryPoint {
        let writer = try RepositoryWriter(repository: repository)
        let blobs = try writer.makeBlobWriter()
        var file = Node(name: Array("file".utf8), kind: .regular)
        file.content = [try blobs.save(SecureRandom.bytes(40_000), type: .data), try blobs.save(SecureRandom.bytes(30_000), type: .data)]
        file.size = 70_000
        var b = Node(name: Array("b".utf8), kind: .directory)
        b.subtree = try blobs.save(Tree(nodes: [file]).encoded(), type: .tree)
        var a = Node(name: Array("a".utf8), kind: .directory)
        a.subtree = try blobs.save(Tree(nodes: [b]).encoded(), type: .tree)
        let root = try blobs.save(Tree(nodes: [a]).encoded(), type: .tree)
        try blobs.flush()
        try writer.finish()
        return RecoveryPoint(time: "2026-12-03T09:00:00Z", hostname: "host", username: "root", paths: ["/a"], tree: root)
    }

    /// A new repository in a memory store whose calls are logged.
    static func created() throws -> (FaultInjectingStore, Repository) {
        let store = FaultInjectingStore(wrapping: MemoryStore(hasher: { Hex.encode(SHA256.hash($0)) }))
        let repository = try Repository.create(store: store, passphrase: Array("a passphrase of some length".utf8), cost: .testing,
                                               identity: WriterIdentity(time: "2026-12-03T09:00:00Z", hostname: "host", username: "root"))
        return (store, repository)
    }

    static func treeReads(_ store: FaultInjectingStore) -> Int {
        store.log.filter { ($0.operation == .get || $0.operation == .getRange) && $0.kind == .data }.count
    }

    @Test("a second walk of the same point reads no tree from the store and names the same objects as a walk without the cache")
    func secondWalkReadsNothing() throws {
        let (store, created) = try Self.created()
        let point = try Self.point(in: created)
        let cache = TreeLinkCache()
        let cached = try Repository.open(store: store, masterKey: created.exportMasterKey(), treeLinks: cache)
        let plain = try Repository.open(store: store, masterKey: created.exportMasterKey())

        let expected = try plain.references(of: point)
        #expect(expected.contains { $0.kind == .data } && expected.contains { $0.kind == .index }, "\(expected)")
        let before = Self.treeReads(store)
        #expect(try cached.references(of: point) == expected)
        let first = Self.treeReads(store) - before
        #expect(first >= 3 && cache.count == 3, "the first walk reads the three trees (\(first) reads)")
        #expect(try cached.references(of: point) == expected)
        #expect(Self.treeReads(store) - before == first, "the second walk read a tree again")
    }

    @Test("trees noted as they are stored are not read back when their point is committed")
    func notedTreesAreNotReadBack() throws {
        let (store, created) = try Self.created()
        let cache = TreeLinkCache()
        let repository = try Repository.open(store: store, masterKey: created.exportMasterKey(), treeLinks: cache)
        let writer = try RepositoryWriter(repository: repository)
        let blobs = try writer.makeBlobWriter()
        var file = Node(name: Array("file".utf8), kind: .regular)
        file.content = [try blobs.save(SecureRandom.bytes(20_000), type: .data)]
        var directory = Node(name: Array("d".utf8), kind: .directory)
        let inner = Tree(nodes: [file])
        directory.subtree = try blobs.save(inner.encoded(), type: .tree)
        repository.noteStoredTree(inner, id: try #require(directory.subtree))
        let rootTree = Tree(nodes: [directory])
        let root = try blobs.save(rootTree.encoded(), type: .tree)
        repository.noteStoredTree(rootTree, id: root)
        try blobs.flush()
        try writer.finish()
        let point = RecoveryPoint(time: "2026-12-03T09:00:00Z", hostname: "host", username: "root", paths: ["/d"], tree: root)

        let before = Self.treeReads(store)
        let references = try repository.references(of: point)
        #expect(Self.treeReads(store) == before, "the walk read a noted tree from the store")
        #expect(try Repository.open(store: store, masterKey: created.exportMasterKey()).references(of: point) == references)
        #expect(cache.count == 2)
    }

    @Test("a cache too small for the point starts again empty and the walk still names every object")
    func overflowKeepsTheWalkRight() throws {
        let (store, created) = try Self.created()
        let point = try Self.point(in: created)
        let cache = TreeLinkCache(capacity: 3)
        let small = try Repository.open(store: store, masterKey: created.exportMasterKey(), treeLinks: cache)
        let expected = try created.references(of: point)
        #expect(try small.references(of: point) == expected)
        #expect(try small.references(of: point) == expected)
        #expect(cache.count < 3, "the cache held \(cache.count) trees in room for 3 blob ids")
    }
}

@Suite("Repository: the tree link cache kept in a file")
struct TreeLinkCacheFileTests {
    /// A temporary folder, removed with the value.
    final class TempDir {
        let path = NSTemporaryDirectory() + "haven-tree-links-" + Hex.encode(SecureRandom.bytes(6))
        init() throws { try FileIO.makeDirectories(path) }
        deinit { try? FileIO.removeTree(path) }
        func sub(_ name: String) -> String { path + "/" + name }
    }

    /// A repository with a point whose references one run walked and whose links it saved to `file`.
    static func savedOnce(to file: String) throws -> (FaultInjectingStore, Repository, RecoveryPoint, [ObjectKey]) {
        let (store, created) = try TreeLinkCacheTests.created()
        let point = try TreeLinkCacheTests.point(in: created)
        let first = try Repository.open(store: store, masterKey: created.exportMasterKey(), treeLinks: TreeLinkCache())
        let expected = try first.references(of: point)
        try first.saveTreeLinks(to: file)
        return (store, created, point, expected)
    }

    @Test("links saved by one run are loaded by the next, which then commits without reading a tree")
    func savedLinksSpareTheNextRun() throws {
        let temp = try TempDir()
        let file = temp.sub("cache/tree-links")
        let (store, created, point, expected) = try Self.savedOnce(to: file)
        var status = stat()
        #expect(stat(file, &status) == 0 && status.st_mode & 0o777 == 0o600, "the file is for the user alone")

        let cache = TreeLinkCache()
        let second = try Repository.open(store: store, masterKey: created.exportMasterKey(), treeLinks: cache)
        #expect(second.loadTreeLinks(from: file) == 3)
        let before = TreeLinkCacheTests.treeReads(store)
        #expect(try second.references(of: point) == expected)
        #expect(TreeLinkCacheTests.treeReads(store) == before, "a tree was read although the file named it")

        // Nothing new since the file was loaded: saving leaves it alone.
        try FileIO.writeFileAtomically(file, Array("left alone".utf8))
        try second.saveTreeLinks(to: file)
        #expect(try FileIO.readFile(file) == Array("left alone".utf8), "an unchanged cache was written again")
    }

    @Test("a damaged file, another repository's file or no file is ignored, and the walk reads the trees instead")
    func unreadableFilesAreIgnored() throws {
        let temp = try TempDir()
        let file = temp.sub("tree-links")
        let (store, created, point, expected) = try Self.savedOnce(to: file)
        var damaged = try FileIO.readFile(file)
        damaged[damaged.count / 2] ^= 0x40
        try FileIO.writeFileAtomically(temp.sub("damaged"), damaged)
        let (_, other) = try TreeLinkCacheTests.created()
        _ = try TreeLinkCacheTests.point(in: other)
        let foreign = temp.sub("foreign")
        let otherOpen = try Repository.open(store: other.store, masterKey: other.exportMasterKey(), treeLinks: TreeLinkCache())
        try otherOpen.saveTreeLinks(to: foreign)

        for path in [temp.sub("damaged"), foreign, temp.sub("missing")] {
            let cache = TreeLinkCache()
            let repository = try Repository.open(store: store, masterKey: created.exportMasterKey(), treeLinks: cache)
            #expect(repository.loadTreeLinks(from: path) == 0, "\(path)")
            #expect(cache.count == 0)
            let before = TreeLinkCacheTests.treeReads(store)
            #expect(try repository.references(of: point) == expected)
            #expect(TreeLinkCacheTests.treeReads(store) - before >= 3, "the walk did not read the trees of \(path)")
        }
    }
}
