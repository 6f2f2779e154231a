import Backup
import FileIO
import Foundation
import Glibc
import Repository
import SystemTesting
import Testing

/// Point-in-time views of real filesystems on loop devices: btrfs sources are read from a read-only snapshot taken
/// when the backup starts; ext4 and xfs sources are read live, with the reason recorded.
@Suite("Point in time: snapshots of btrfs sources, live reads elsewhere", .serialized)
struct PointInTimeTests {
    /// The content of `path` in `point`, restored into a scratch folder.
    static func restoredContent(_ repository: Repository, _ point: StoredRecoveryPoint, _ path: String, scratch: Scratch) throws -> String? {
        let target = scratch.sub("restore-\(UInt32.random(in: 0...UInt32.max))")
        try FileIO.makeDirectories(target)
        _ = try Scratch.restore(repository, point, to: target)
        return (try? FileIO.readFile(target + path)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func snapshotFolderEntries(_ fs: LoopFilesystem) -> [String] {
        (try? FileIO.listDirectory(fs.path(SourceSnapshots.folderName))) ?? []
    }

    @Test("a btrfs source is read from the snapshot: changes made after it was taken are not in the point, and it is gone afterwards")
    func btrfsSourceIsReadFromSnapshot() throws {
        let fs = try LoopFilesystem(type: "btrfs")
        let source = fs.path("data")
        try FileIO.makeDirectories(source + "/inner")
        try FileIO.writeFileAtomically(source + "/inner/ledger.txt", Array("before".utf8), durable: false)
        let scratch = try Scratch()
        let repository = try scratch.makeRepository()

        let snapshots = SourceSnapshots(paths: [source], policy: .auto, label: "test")
        #expect(snapshots.pointsInTime == [PointInTime(path: source, method: .btrfsSnapshot)])
        #expect(snapshots.snapshotPaths.count == 1)
        // The live tree changes after the snapshot was taken, before anything is read.
        try FileIO.writeFileAtomically(source + "/inner/ledger.txt", Array("after".utf8), durable: false)
        try FileIO.writeFileAtomically(source + "/late.txt", Array("late".utf8), durable: false)
        let result = try Scratch.backup(repository, [source]) {
            $0.readFrom = snapshots.readFrom
            $0.excludes += snapshots.excludes
        }
        #expect(snapshots.release().isEmpty)

        #expect(try Self.restoredContent(repository, result.recoveryPoint, source + "/inner/ledger.txt", scratch: scratch) == "before")
        #expect(try Self.restoredContent(repository, result.recoveryPoint, source + "/late.txt", scratch: scratch) == nil)
        #expect(result.recoveryPoint.point.paths == [source], "the point records the live path, not the snapshot's")
        #expect(Self.snapshotFolderEntries(fs).isEmpty, "left behind: \(Self.snapshotFolderEntries(fs))")
    }

    @Test("a second backup from a new snapshot finds every file unchanged, and the snapshot folder is never backed up")
    func secondSnapshotBackupFindsFilesUnchanged() throws {
        let fs = try LoopFilesystem(type: "btrfs")
        // The whole subvolume: its root holds the snapshot folder while the backup runs.
        let source = fs.mountPoint
        for index in 0..<20 { try FileIO.writeFileAtomically(source + "/file-\(index)", Array("content \(index)".utf8), durable: false) }
        let scratch = try Scratch()
        let repository = try scratch.makeRepository()
        func backup(parent: StoredRecoveryPoint?) throws -> BackupResult {
            let snapshots = SourceSnapshots(paths: [source], policy: .auto, label: "test")
            defer { snapshots.release() }
            #expect(snapshots.pointsInTime.map(\.method) == [.btrfsSnapshot])
            return try Scratch.backup(repository, [source], parent: parent) {
                $0.readFrom = snapshots.readFrom
                $0.excludes += snapshots.excludes
            }
        }
        let first = try backup(parent: nil)
        let second = try backup(parent: first.recoveryPoint)
        #expect(first.recoveryPoint.point.summary.filesNew == 20)
        #expect(second.recoveryPoint.point.summary.filesUnchanged == 20, "\(second.recoveryPoint.point.summary)")
        var names: [String] = []
        try TreeWalker(repository: repository).list(second.recoveryPoint) { names.append($0.path) }
        #expect(!names.contains { $0.contains(SourceSnapshots.folderName) }, "\(names)")
    }

    @Test("the snapshot is removed after a backup that failed")
    func snapshotRemovedAfterFailure() throws {
        let fs = try LoopFilesystem(type: "btrfs")
        let source = fs.path("data")
        try FileIO.makeDirectories(source)
        try FileIO.writeFileAtomically(source + "/a", Array("a".utf8), durable: false)
        let scratch = try Scratch()
        let repository = try scratch.makeRepository()
        let missing = fs.path("missing")
        do {
            let snapshots = SourceSnapshots(paths: [source, missing], policy: .auto, label: "test")
            defer { snapshots.release() }
            #expect(FileIO.isDirectory(snapshots.snapshotPaths.first ?? "/nonexistent"))
            #expect(throws: (any Error).self) {
                try Scratch.backup(repository, [source, missing]) { $0.readFrom = snapshots.readFrom }
            }
        }
        #expect(Self.snapshotFolderEntries(fs).isEmpty, "left behind: \(Self.snapshotFolderEntries(fs))")
    }

    @Test("a snapshot whose backup ended abruptly is removed before the next one; one in use is left alone")
    func staleSnapshotIsRemoved() throws {
        let fs = try LoopFilesystem(type: "btrfs")
        let source = fs.path("data")
        try FileIO.makeDirectories(source)
        // What a backup killed with SIGKILL leaves: a read-only snapshot and a lock file that nobody holds.
        let folder = fs.path(SourceSnapshots.folderName)
        try FileIO.makeDirectories(folder)
        _ = try Tool.output("/bin/btrfs", ["subvolume", "snapshot", "-r", fs.mountPoint, folder + "/killed-1"])
        try FileIO.writeFileAtomically(folder + "/killed-1.lock", Array("taken by Haven\n".utf8), durable: false)
        // And one a running backup holds.
        let running = SourceSnapshots(paths: [source], policy: .auto, label: "running")
        defer { running.release() }
        let inUse = try #require(running.snapshotPaths.first)
        #expect(running.removedStale == [folder + "/killed-1"])

        let next = SourceSnapshots(paths: [source], policy: .auto, label: "next")
        #expect(next.removedStale.isEmpty, "a snapshot in use must not be removed: \(next.removedStale)")
        #expect(FileIO.isDirectory(inUse))
        next.release()
        running.release()
        #expect(Self.snapshotFolderEntries(fs).isEmpty, "left behind: \(Self.snapshotFolderEntries(fs))")
    }

    @Test("ext4 and xfs sources are read live, and the reason says their filesystem has no snapshots",
          arguments: ["ext4", "xfs"])
    func otherFilesystemsAreReadLive(type: String) throws {
        let fs = try LoopFilesystem(type: type)
        let source = fs.path("data")
        try FileIO.makeDirectories(source)
        try FileIO.writeFileAtomically(source + "/a", Array("a".utf8), durable: false)
        let snapshots = SourceSnapshots(paths: [source], policy: .auto, label: "test")
        defer { snapshots.release() }
        #expect(snapshots.pointsInTime == [PointInTime(path: source, method: .live, reason: "\(type) has no snapshots")])
        #expect(snapshots.readFrom.isEmpty)
        let scratch = try Scratch()
        let result = try Scratch.backup(try scratch.makeRepository(), [source]) { $0.readFrom = snapshots.readFrom }
        #expect(result.recoveryPoint.point.summary.filesNew == 1)
    }

    @Test("with snapshots turned off a btrfs source is read live")
    func policyOff() throws {
        let fs = try LoopFilesystem(type: "btrfs")
        let snapshots = SourceSnapshots(paths: [fs.mountPoint], policy: .off, label: "test")
        #expect(snapshots.pointsInTime == [PointInTime(path: fs.mountPoint, method: .live, reason: "snapshots are turned off")])
        #expect(snapshots.snapshotPaths.isEmpty)
    }
}
