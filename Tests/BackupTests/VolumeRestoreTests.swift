/// Whole volumes on real filesystems (ext4, xfs, btrfs on loop devices): a volume backed up without crossing into a
/// filesystem mounted inside it, restored with its root at a fresh filesystem of the same type and compared exactly,
/// and restored over itself with each conflict policy; and the source root's own rules against hostile points.
import Backup
import FileIO
import Foundation
import Glibc
import Repository
import SystemTesting
import Testing

@Suite("Volumes on real filesystems", .serialized)
struct VolumeRestoreTests {
    /// Image sizes: xfs refuses filesystems under 300 MB, btrfs under about 110 MB. The images are sparse files.
    static func megabytes(_ type: String) -> Int {
        switch type {
        case "xfs": 320
        case "btrfs": 160
        default: 64
        }
    }

    @Test("a volume is backed up without the filesystem mounted inside it and restored to a fresh filesystem exactly",
          arguments: ["ext4", "xfs", "btrfs"])
    func freshFilesystem(type: String) throws {
        let scratch = try Scratch()
        let volume = try LoopFilesystem(type: type, megabytes: Self.megabytes(type))
        try TreeFixture.make(at: volume.mountPoint)
        // The volume's root has metadata of its own, which must come back on the fresh filesystem's root.
        try Tool.run("/usr/bin/setfattr", ["-n", "user.volume", "-v", "root", volume.mountPoint])
        #expect(chown(volume.mountPoint, 1234, 5678) == 0 && chmod(volume.mountPoint, 0o750) == 0)

        // Another filesystem mounted inside the volume: its files are not the volume's.
        let nested = try LoopFilesystem(type: "ext4", megabytes: 16)
        try TreeFixture.write(nested.path("other-volume.txt"), Array("not on this volume".utf8))
        try FileIO.makeDirectories(volume.path("nested"))
        try Tool.run("/bin/mount", ["--bind", nested.mountPoint, volume.path("nested")])
        defer { _ = try? Tool.run("/bin/umount", ["-l", volume.path("nested")]) }
        var times = [timespec(tv_sec: 1_500_000_000, tv_nsec: 5), timespec(tv_sec: 1_500_000_000, tv_nsec: 5)]
        utimensat(AT_FDCWD, volume.mountPoint, &times, 0)

        let repository = try scratch.makeRepository()
        let point = try Scratch.backup(repository, [volume.mountPoint]) { $0.oneFileSystem = true }.recoveryPoint
        var paths: [String] = []
        try TreeWalker(repository: repository).list(point) { paths.append($0.path) }
        #expect(paths.contains(volume.path("nested")), "the mount point inside is kept as an empty folder")
        #expect(!paths.contains { $0.hasPrefix(volume.path("nested") + "/") }, "nothing of the nested filesystem is in the point")
        try Tool.run("/bin/umount", ["-l", volume.path("nested")])

        let fresh = try LoopFilesystem(type: type, megabytes: Self.megabytes(type))
        let result = try Scratch.restore(repository, point, to: fresh.mountPoint) { $0.sourceRoot = volume.mountPoint }
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        #expect(result.copies.isEmpty && result.skipped == 0)
        #expect(!FileIO.exists(fresh.path(String(volume.mountPoint.dropFirst()))), "the volume is at the target, not under it")
        let problems = TreeFixture.differences(volume.mountPoint, fresh.mountPoint, ignoring: ["/nested"])
        #expect(problems.isEmpty, "\(type): \(problems.joined(separator: "\n"))")
        #expect(try FileIO.listDirectory(fresh.path("nested")).isEmpty)

        var source = stat(), restored = stat()
        #expect(stat(volume.mountPoint, &source) == 0 && stat(fresh.mountPoint, &restored) == 0)
        #expect(restored.st_mode == source.st_mode && restored.st_uid == 1234 && restored.st_gid == 5678)
        #expect(restored.st_mtim.tv_sec == 1_500_000_000 && restored.st_mtim.tv_nsec == 5, "the root's times come last")
        #expect(TreeFixture.xattrs(Array(fresh.mountPoint.utf8)).contains("user.volume=0x726f6f74"))
    }

    @Test("a volume restored over itself keeps, replaces or copies beside what changed, as the conflict policy says")
    func originalLocation() throws {
        let scratch = try Scratch()
        let volume = try LoopFilesystem(type: "ext4", megabytes: 32)
        try FileIO.makeDirectories(volume.path("data/deep"))
        try TreeFixture.write(volume.path("data/report.txt"), Array("backed up".utf8))
        try TreeFixture.write(volume.path("data/deep/kept.txt"), Array("unchanged".utf8))
        try TreeFixture.write(volume.path("top.txt"), Array("top".utf8))
        let repository = try scratch.makeRepository()
        let point = try Scratch.backup(repository, [volume.mountPoint]) { $0.oneFileSystem = true }.recoveryPoint

        func damage() throws {
            try TreeFixture.write(volume.path("data/report.txt"), Array("edited since".utf8))
            try FileIO.removeTree(volume.path("data/deep"))
            try TreeFixture.write(volume.path("new-since.txt"), Array("new".utf8))
        }
        func restore(_ policy: ConflictPolicy) throws -> RestoreResult {
            try Scratch.restore(repository, point, to: volume.mountPoint) { $0.sourceRoot = volume.mountPoint; $0.conflict = policy }
        }

        try damage()
        let skipped = try restore(.skip)
        #expect(try FileIO.readFile(volume.path("data/report.txt")) == Array("edited since".utf8))
        #expect(try FileIO.readFile(volume.path("data/deep/kept.txt")) == Array("unchanged".utf8), "what was missing comes back")
        #expect(skipped.skipped == 2 && skipped.files == 1, "report.txt and top.txt were kept; kept.txt restored")

        try damage()
        let copied = try restore(.copy)
        #expect(try FileIO.readFile(volume.path("data/report.txt")) == Array("edited since".utf8))
        #expect(try FileIO.readFile(volume.path("data/2026-11-24 12-00 Copy of report.txt")) == Array("backed up".utf8))
        #expect(copied.copies.sorted() == ["2026-11-24 12-00 Copy of top.txt", "data/2026-11-24 12-00 Copy of report.txt"],
                "copies are named relative to the volume's root: \(copied.copies)")

        try damage()
        let overwritten = try restore(.overwrite)
        #expect(try FileIO.readFile(volume.path("data/report.txt")) == Array("backed up".utf8))
        #expect(try FileIO.readFile(volume.path("data/deep/kept.txt")) == Array("unchanged".utf8))
        #expect(try FileIO.readFile(volume.path("new-since.txt")) == Array("new".utf8), "a restore never deletes what the point lacks")
        #expect(overwritten.warnings.isEmpty && overwritten.files == 3)
    }

    @Test("the source root must be a folder of the point, without '.' or '..', and includes must lie inside it")
    func sourceRootRules() throws {
        let scratch = try Scratch()
        let source = scratch.sub("source")
        try FileIO.makeDirectories(source + "/folder")
        try TreeFixture.write(source + "/folder/a.txt", [1])
        try TreeFixture.write(source + "/file.txt", [2])
        symlink("/etc", source + "/link")
        let repository = try scratch.makeRepository()
        let point = try Scratch.backup(repository, [source]).recoveryPoint
        let target = scratch.sub("target")
        for bad in [source + "/file.txt", source + "/link", source + "/missing", source + "/../source", "relative", source + "/./folder"] {
            #expect(throws: RepositoryError.self, "\(bad)") {
                try Scratch.restore(repository, point, to: target) { $0.sourceRoot = bad }
            }
        }
        #expect(throws: RepositoryError.self) {
            try Scratch.restore(repository, point, to: target) { $0.sourceRoot = source + "/folder"; $0.includes = [source + "/file.txt"] }
        }
        #expect(!FileIO.exists(target + "/a.txt"), "a refused restore writes nothing")

        // Inside the root, includes choose as usual; a parent of the root chooses all of it.
        let part = try Scratch.restore(repository, point, to: target) { $0.sourceRoot = source; $0.includes = [source + "/folder"] }
        #expect(part.files == 1 && FileIO.exists(target + "/folder/a.txt") && !FileIO.exists(target + "/file.txt"))
        let whole = try Scratch.restore(repository, point, to: scratch.sub("whole")) { $0.sourceRoot = source + "/folder"; $0.includes = ["/"] }
        #expect(whole.files == 1)
        #expect(try FileIO.listDirectory(scratch.sub("whole")) == ["a.txt"])
    }
}
