import Backup
import FileIO
import Foundation
import Glibc
import Repository
import SystemTesting
import Testing

/// The parallel walk lists directories on several threads but must build the very recovery point a serial walk builds.
@Suite("Parallel directory walk")
struct ParallelWalkTests {
    /// Many directories three levels deep, with files to exclude, special files, hard links across directories,
    /// symlinks, and a tmpfs mounted inside.
    private static func makeTree(at root: String) throws {
        for top in 0..<6 {
            for middle in 0..<5 {
                let directory = root + "/top-\(top)/middle-\(middle)"
                try FileIO.makeDirectories(directory + "/leaf")
                for file in 0..<(top * 3 + middle) {
                    try TreeFixture.write(directory + "/file-\(file).txt", Array("content \(top) \(middle) \(file)\n".utf8))
                }
                try TreeFixture.write(directory + "/leaf/scratch.tmp", [UInt8(top), UInt8(middle)])
                try TreeFixture.write(directory + "/leaf/kept", Array(repeating: UInt8(middle), count: 100 * top))
                symlink("../file-0.txt", directory + "/leaf/link")
            }
            try FileIO.makeDirectories(root + "/top-\(top)/cache/deep")
            try TreeFixture.write(root + "/top-\(top)/cache/deep/big", Array(repeating: 1, count: 4096))
        }
        link(root + "/top-1/middle-1/file-0.txt", root + "/top-4/middle-2/hardlink")
        link(root + "/top-1/middle-1/file-0.txt", root + "/top-5/hardlink-too")
        mkfifo(root + "/top-2/fifo", 0o600)
        mknod(root + "/top-2/null-device", S_IFCHR | 0o666, dev_t(DeviceNumber(major: 1, minor: 3).rdev))
        TreeFixture.makeSocket(root + "/top-3/socket")
        try FileIO.makeDirectories(root + "/top-0/mounted")
    }

    private static func backup(_ repository: Repository, _ source: String, walkThreads: Int, parent: StoredRecoveryPoint? = nil,
                               oneFileSystem: Bool = false) throws -> BackupResult {
        try Scratch.backup(repository, [source], parent: parent) { options in
            options.walkThreads = walkThreads
            options.oneFileSystem = oneFileSystem
            options.excludes = ["*.tmp", source + "/top-*/cache"]
        }
    }

    /// The tree of `source` in a point: the root tree also holds the folders above the source (the test's scratch
    /// folder under /tmp), whose times other processes change between two backups.
    private static func sourceTree(_ result: BackupResult, _ source: String, in repository: Repository) throws -> BlobID? {
        let reader = repository.makeBlobReader()
        var id = result.recoveryPoint.point.treeID
        for part in source.split(separator: "/") {
            guard let current = id else { return nil }
            id = try reader.loadTree(current).node(named: Array(part.utf8))?.subtree
        }
        return id
    }

    /// The figures that do not depend on what the repository already held.
    private static func figures(_ result: BackupResult) -> [UInt64] {
        let summary = result.recoveryPoint.point.summary
        return [UInt64(summary.files), summary.bytes, UInt64(summary.directories), UInt64(summary.otherEntries),
                UInt64(summary.filesNew), UInt64(summary.filesChanged), UInt64(summary.filesUnchanged)]
    }

    @Test("walking with 1, 2 and 5 threads gives the same trees, figures and warnings, first and incremental backups alike")
    func parallelWalkMatchesSerialWalk() throws {
        let scratch = try Scratch()
        let source = scratch.sub("source")
        try Self.makeTree(at: source)
        try #require(try Tool.status("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", source + "/top-0/mounted"]) == 0,
                     "mounting a tmpfs needs root")
        defer { _ = try? Tool.status("/usr/bin/umount", [source + "/top-0/mounted"]) }
        try FileIO.makeDirectories(source + "/top-0/mounted/inside")
        try TreeFixture.write(source + "/top-0/mounted/inside/file", Array("on another file system".utf8))
        let repository = try scratch.makeRepository()

        for oneFileSystem in [false, true] {
            let serial = try Self.backup(repository, source, walkThreads: 1, oneFileSystem: oneFileSystem)
            for threads in [2, 5] {
                let parallel = try Self.backup(repository, source, walkThreads: threads, oneFileSystem: oneFileSystem)
                #expect(try Self.sourceTree(parallel, source, in: repository) == Self.sourceTree(serial, source, in: repository),
                        "\(threads) threads, one file system: \(oneFileSystem)")
                #expect(Self.figures(parallel) == Self.figures(serial))
                #expect(parallel.warnings == serial.warnings)
                #expect(parallel.multiLinkDirectories == serial.multiLinkDirectories)
            }
            var paths: [String] = []
            try TreeWalker(repository: repository).list(serial.recoveryPoint) { paths.append($0.path) }
            #expect(paths.contains(source + "/top-2/fifo"))
            #expect(paths.contains(source + "/top-4/middle-2/hardlink"))
            #expect(!paths.contains { $0.hasSuffix(".tmp") || $0.contains("/cache") })
            #expect(paths.contains(source + "/top-0/mounted/inside/file") == !oneFileSystem)
            #expect(serial.multiLinkDirectories == [source + "/top-1/middle-1", source + "/top-4/middle-2", source + "/top-5"])
        }

        // An incremental backup over changes: same parent, same result whatever the number of threads.
        let base = try Self.backup(repository, source, walkThreads: 1)
        var mutator = TreeMutator(root: source + "/top-3", random: SeededRandom(state: 0x5EED_0005))
        mutator.apply(30)
        let serial = try Self.backup(repository, source, walkThreads: 1, parent: base.recoveryPoint)
        let parallel = try Self.backup(repository, source, walkThreads: 4, parent: base.recoveryPoint)
        let serialTree = try #require(try Self.sourceTree(serial, source, in: repository))
        #expect(try serialTree != Self.sourceTree(base, source, in: repository), "the changes reached the recovery point")
        #expect(try Self.sourceTree(parallel, source, in: repository) == serialTree, "changes: \(mutator.log)")
        #expect(Self.figures(parallel) == Self.figures(serial))
        #expect(parallel.warnings == serial.warnings)
    }

    @Test("a parallel walk of an unchanged tree reads no file again and reuses the previous trees")
    func parallelRescanReusesEverything() throws {
        let scratch = try Scratch()
        let source = scratch.sub("source")
        try Self.makeTree(at: source)
        let repository = try scratch.makeRepository()
        let first = try Self.backup(repository, source, walkThreads: 3)
        let second = try Self.backup(repository, source, walkThreads: 3, parent: first.recoveryPoint)
        #expect(try Self.sourceTree(second, source, in: repository) == Self.sourceTree(first, source, in: repository))
        #expect(second.recoveryPoint.point.summary.filesNew == 0)
        #expect(second.recoveryPoint.point.summary.filesChanged == 0)
        #expect(second.recoveryPoint.point.summary.filesUnchanged == first.recoveryPoint.point.summary.files)
        // Nothing of the source is stored again; at most the trees of the folders above it, if another process
        // touched /tmp meanwhile.
        #expect(second.statistics.blobsAdded <= UInt64(source.split(separator: "/").count))
    }
}
