import Backup
import FileIO
import Glibc
import Repository
import SystemTesting
import Testing

@Suite("Backup and restore of a tree holding every special case")
struct BackupRestoreTests {
    @Test("a restored tree is identical to its source: contents, modes, owners, times, xattrs, ACLs, links, devices, sparse files")
    func restoresEverythingExactly() throws {
        let scratch = try Scratch()
        let source = try scratch.fixtureSource()
        let repository = try scratch.makeRepository()
        let result = try Scratch.backup(repository, [source])
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        let summary = result.recoveryPoint.point.summary
        #expect(summary.filesNew == summary.files)
        #expect(summary.files >= 48)

        try expectRestoresExactly(result.recoveryPoint, of: source, from: try scratch.reopen(), in: scratch)
    }

    @Test("an unchanged tree is not read again, and a changed file is")
    func incrementalReadsOnlyChanges() throws {
        let scratch = try Scratch()
        let source = try scratch.fixtureSource()
        let repository = try scratch.makeRepository()
        let first = try Scratch.backup(repository, [source])
        let second = try Scratch.backup(repository, [source], parent: first.recoveryPoint, time: "2026-11-24T13:00:00.000000000Z")
        #expect(second.recoveryPoint.point.summary.filesUnchanged == first.recoveryPoint.point.summary.files)
        // Only the trees of the directories above the source may change (other tests touch /tmp meanwhile).
        #expect(second.statistics.blobsAdded <= source.split(separator: "/").count)
        let walker = TreeWalker(repository: repository)
        var subtrees: [BlobID?] = []
        for point in [first.recoveryPoint, second.recoveryPoint] {
            try walker.list(point, under: source) { entry in if entry.path == source { subtrees.append(entry.node.subtree) } }
        }
        #expect(subtrees.count == 2 && subtrees[0] != nil && subtrees[0] == subtrees[1])

        try TreeFixture.write(source + "/docs/file-5.txt", Array("new content".utf8))
        let third = try Scratch.backup(repository, [source], parent: second.recoveryPoint, time: "2026-11-24T14:00:00.000000000Z")
        #expect(third.recoveryPoint.point.summary.filesChanged == 1)
        #expect(third.recoveryPoint.point.summary.filesUnchanged == first.recoveryPoint.point.summary.files - 1)
        let target = scratch.sub("target")
        _ = try Scratch.restore(repository, third.recoveryPoint, to: target)
        #expect(try FileIO.readFile(target + source + "/docs/file-5.txt") == Array("new content".utf8))
    }

    @Test("deletions, mode and owner changes, new attributes and new files all reach an incremental recovery point")
    func incrementalSeesMetadataChanges() throws {
        let scratch = try Scratch()
        let source = try scratch.fixtureSource()
        let repository = try scratch.makeRepository()
        let first = try Scratch.backup(repository, [source])
        try FileIO.removeTree(source + "/docs/file-7.txt")
        chmod(source + "/docs/file-8.txt", 0o600)
        chown(source + "/docs/file-9.txt", 4242, 4343)
        try Tool.run("/usr/bin/setfattr", ["-n", "user.added", "-v", "later", source + "/docs/file-10.txt"])
        try TreeFixture.write(source + "/docs/nested/deeper/new.txt", Array("new".utf8))
        let second = try Scratch.backup(repository, [source], parent: first.recoveryPoint, time: "2026-11-24T13:00:00.000000000Z")
        #expect(second.recoveryPoint.point.summary.filesNew == 1)
        try expectRestoresExactly(second.recoveryPoint, of: source, from: repository, in: scratch)
    }

    @Test("with one file system, a mounted file system inside a source is kept as an empty directory")
    func oneFileSystem() throws {
        let scratch = try Scratch()
        let source = scratch.sub("source")
        try FileIO.makeDirectories(source + "/mounted")
        try TreeFixture.write(source + "/here.txt", [1])
        try #require(try Tool.status("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", source + "/mounted"]) == 0,
                     "mounting a tmpfs needs root")
        defer { _ = try? Tool.status("/usr/bin/umount", [source + "/mounted"]) }
        try TreeFixture.write(source + "/mounted/elsewhere.txt", [2])
        let repository = try scratch.makeRepository()
        let contained = try Scratch.backup(repository, [source]) { $0.oneFileSystem = true }
        let crossing = try Scratch.backup(repository, [source], time: "2026-11-24T13:00:00.000000000Z")
        var paths: [String: [String]] = [:]
        for point in [contained, crossing] {
            try TreeWalker(repository: repository).list(point.recoveryPoint) { paths[point.recoveryPoint.id, default: []].append($0.path) }
        }
        let inside = paths[contained.recoveryPoint.id] ?? []
        #expect(inside.contains(source + "/here.txt"))
        #expect(inside.contains(source + "/mounted"))
        #expect(!inside.contains(source + "/mounted/elsewhere.txt"))
        #expect((paths[crossing.recoveryPoint.id] ?? []).contains(source + "/mounted/elsewhere.txt"))
    }

    @Test("identical content is stored once")
    func deduplicates() throws {
        let scratch = try Scratch()
        let source = scratch.sub("source")
        try FileIO.makeDirectories(source)
        let bytes = (0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }
        try TreeFixture.write(source + "/a.bin", bytes)
        try TreeFixture.write(source + "/b.bin", bytes)
        let repository = try scratch.makeRepository()
        let result = try Scratch.backup(repository, [source])
        #expect(result.statistics.bytesAdded < UInt64(bytes.count) + 100_000)
    }

    @Test("excluded names and paths are left out, and an excluded directory is not entered")
    func excludes() throws {
        let scratch = try Scratch()
        let source = scratch.sub("source")
        try FileIO.makeDirectories(source + "/cache/deep")
        try FileIO.makeDirectories(source + "/keep")
        try TreeFixture.write(source + "/keep/a.txt", [1])
        try TreeFixture.write(source + "/keep/b.tmp", [2])
        try TreeFixture.write(source + "/cache/deep/c.txt", [3])
        let repository = try scratch.makeRepository()
        let result = try Scratch.backup(repository, [source]) { $0.excludes = ["*.tmp", source + "/cache"] }
        var paths: [String] = []
        try TreeWalker(repository: repository).list(result.recoveryPoint) { paths.append($0.path) }
        #expect(paths.contains(source + "/keep/a.txt"))
        #expect(!paths.contains(source + "/keep/b.tmp"))
        #expect(!paths.contains { $0.hasPrefix(source + "/cache") })
    }

    @Test("a fifo is recorded as a fifo and never opened for reading (which would block)")
    func fifoIsRecordedNotRead() throws {
        let scratch = try Scratch()
        let source = scratch.sub("source")
        try FileIO.makeDirectories(source)
        try TreeFixture.write(source + "/fine.txt", Array("fine".utf8))
        // A fifo opened for reading would block: the archiver must not read it, only record it.
        mkfifo(source + "/pipe", 0o600)
        let repository = try scratch.makeRepository()
        let result = try Scratch.backup(repository, [source])
        #expect(result.warnings.isEmpty)
        var kinds: [String: NodeKind] = [:]
        try TreeWalker(repository: repository).list(result.recoveryPoint) { kinds[$0.path] = $0.node.kind }
        #expect(kinds[source + "/pipe"] == .fifo)
        #expect(kinds[source + "/fine.txt"] == .regular)
    }

    /// Restores `point` under a new target and expects it identical to `source`, metadata included.
    private func expectRestoresExactly(_ point: StoredRecoveryPoint, of source: String, from repository: Repository,
                                       in scratch: Scratch) throws {
        let target = scratch.sub("target")
        let restored = try Scratch.restore(repository, point, to: target)
        #expect(restored.warnings.isEmpty, "\(restored.warnings)")
        let differences = TreeFixture.differences(source, target + source)
        #expect(differences.isEmpty, "\(differences)")
    }
}
