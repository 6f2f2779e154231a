import Backup
import FileIO
import Glibc
import Repository
import Testing

@Suite("Restoring a hostile recovery point never writes outside the target")
struct HostileRecoveryPointTests {
    /// Stores a recovery point whose root tree is `nodes` (built by hand, as an attacker with the key could).
    private func store(_ nodes: [Node], in repository: Repository) throws -> StoredRecoveryPoint {
        let writer = try RepositoryWriter(repository: repository)
        let blobs = try writer.makeBlobWriter()
        let root = try blobs.save(Tree(nodes: nodes).encoded(), type: .tree)
        try blobs.flush()
        try writer.finish()
        return try repository.saveRecoveryPoint(RecoveryPoint(
            time: "2026-11-24T12:00:00Z", hostname: "attacker", username: "root", paths: ["/"], tree: root))
    }

    private func file(_ name: [UInt8], content: [BlobID], size: UInt64) -> Node {
        var node = Node(name: name, kind: .regular)
        node.mode = 0o644
        node.content = content
        node.size = size
        return node
    }

    @Test("names with '/', '..', '.', NUL or nothing are refused and named in a warning")
    func badNamesAreRefused() throws {
        let scratch = try Scratch()
        let repository = try scratch.makeRepository()
        let writer = try RepositoryWriter(repository: repository)
        let blobs = try writer.makeBlobWriter()
        let payload = try blobs.save(Array("owned".utf8), type: .data)
        try blobs.flush()
        try writer.finish()
        let names: [[UInt8]] = [Array("../escape".utf8), Array("..".utf8), Array(".".utf8), Array("a/b".utf8), [], Array("x\0y".utf8),
                                Array("/etc-passwd".utf8)]
        let point = try store(names.map { file($0, content: [payload], size: 5) } + [file(Array("fine".utf8), content: [payload], size: 5)],
                              in: repository)
        let target = scratch.sub("target/inner")
        let result = try Scratch.restore(repository, point, to: target)
        #expect(result.warnings.count == names.count)
        #expect(try FileIO.listDirectory(target) == ["fine"])
        #expect(try FileIO.listDirectory(scratch.sub("target")) == ["inner"])
        #expect(!FileIO.exists("/etc-passwd"))
    }

    @Test("a symlink planted in the target is never followed: the restore writes beside it, not through it")
    func plantedSymlinkIsNotFollowed() throws {
        let scratch = try Scratch()
        let repository = try scratch.makeRepository()
        let outside = scratch.sub("outside")
        try FileIO.makeDirectories(outside)
        let writer = try RepositoryWriter(repository: repository)
        let blobs = try writer.makeBlobWriter()
        let payload = try blobs.save(Array("owned".utf8), type: .data)
        let inner = try blobs.save(Tree(nodes: [file(Array("payload".utf8), content: [payload], size: 5)]).encoded(), type: .tree)
        try blobs.flush()
        try writer.finish()
        var directory = Node(name: Array("dir".utf8), kind: .directory)
        directory.mode = 0o755
        directory.subtree = inner
        let point = try store([directory], in: repository)
        for policy in ConflictPolicy.allCases {
            let target = scratch.sub("target-\(policy.rawValue)")
            try FileIO.makeDirectories(target)
            #expect(symlink(outside, target + "/dir") == 0)
            _ = try Scratch.restore(repository, point, to: target) { $0.conflict = policy }
            #expect(try FileIO.listDirectory(outside).isEmpty, "policy \(policy) wrote through a symlink")
        }
    }

    @Test("a symlink in the recovery point pointing outside is restored as a link, and nothing is written through it")
    func symlinkInRecoveryPointIsCreatedLast() throws {
        let scratch = try Scratch()
        let repository = try scratch.makeRepository()
        let outside = scratch.sub("outside")
        try FileIO.makeDirectories(outside)
        var link = Node(name: Array("escape".utf8), kind: .symlink)
        link.linkTarget = Array(outside.utf8)
        let writer = try RepositoryWriter(repository: repository)
        let blobs = try writer.makeBlobWriter()
        let payload = try blobs.save(Array("owned".utf8), type: .data)
        // A hard link whose origin is named "escape/x" cannot exist; a file named like the link can't either (names are unique).
        try blobs.flush()
        try writer.finish()
        let point = try store([link, file(Array("plain".utf8), content: [payload], size: 5)], in: repository)
        let target = scratch.sub("target")
        let result = try Scratch.restore(repository, point, to: target)
        #expect(result.warnings.isEmpty)
        #expect(try FileIO.listDirectory(outside).isEmpty)
        var status = stat()
        lstat(target + "/escape", &status)
        #expect(status.st_mode & S_IFMT == S_IFLNK)
    }

    @Test("a file whose content is longer than its recorded size is refused, not written past its size")
    func inconsistentSizeIsRefused() throws {
        let scratch = try Scratch()
        let repository = try scratch.makeRepository()
        let writer = try RepositoryWriter(repository: repository)
        let blobs = try writer.makeBlobWriter()
        let payload = try blobs.save(Array("0123456789".utf8), type: .data)
        try blobs.flush()
        try writer.finish()
        let point = try store([file(Array("short".utf8), content: [payload], size: 4)], in: repository)
        let target = scratch.sub("target")
        let result = try Scratch.restore(repository, point, to: target)
        #expect(result.warnings.count == 1)
        #expect(!FileIO.exists(target + "/short"))
    }
}
