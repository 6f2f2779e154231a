import Backup
import FileIO
import Glibc
import Repository
import SystemTesting
import Testing

/// A directory that moves away and comes back keeps its inode and its name, so only its ctime tells that what is
/// inside may have changed under another path, which the journal recorded under that path.
@Suite("Optimized backups after directories move away and back", .serialized)
struct OptimizedMoveTests {
    @Test("a directory renamed, changed inside under its other name, and renamed back is listed again in full",
          arguments: [true, false])
    func renamedAwayAndBack(readBetween: Bool) throws {
        let fs = try LoopFilesystem()
        let source = fs.path("data")
        try FileIO.makeDirectories(source + "/x/e/deep")
        try FileIO.writeFileAtomically(source + "/x/e/file", Array("before".utf8), durable: false)
        try FileIO.writeFileAtomically(source + "/x/e/deep/other", Array("kept".utf8), durable: false)
        let scratch = try Scratch()
        let repository = try scratch.makeRepository()
        let watcher = try FanotifyWatcher()
        try watcher.watch(filesystemAt: fs.mountPoint)
        _ = watcher.pollForMark()
        let first = try Scratch.backup(repository, [source])

        var changes = FanotifyWatcher.Changes()
        #expect(rename(source + "/x", source + "/y") == 0)
        try FileIO.writeFileAtomically(source + "/y/e/file", Array("after, and longer".utf8), durable: false)
        try FileIO.writeFileAtomically(source + "/y/e/deep/new", Array("new".utf8), durable: false)
        // Read in between (as the agent's journal thread does), the changes are recorded as y/e: a path that is gone
        // once x is back, and whose directory then carries an ignore mark.
        if readBetween { changes.add(watcher.poll(timeoutMilliseconds: 200)) }
        #expect(rename(source + "/y", source + "/x") == 0)
        changes.add(watcher.pollForMark(timeoutMilliseconds: 200))
        #expect(!changes.overflowed)

        let time = "2026-11-24T14:00:00.000000000Z"
        let optimized = try Scratch.backup(repository, [source], parent: first.recoveryPoint, time: time) {
            $0.changedDirectories = changes.directories
            $0.multiLinkDirectories = first.multiLinkDirectories
        }
        let full = try Scratch.backup(repository, [source], parent: first.recoveryPoint, time: time)
        #expect(optimized.mode == .optimized)
        let optimizedTree = try OptimizedBackupPropertyTests.subtree(of: source, in: optimized.recoveryPoint, repository)
        let fullTree = try OptimizedBackupPropertyTests.subtree(of: source, in: full.recoveryPoint, repository)
        let differences = optimizedTree == fullTree
            ? [] : try OptimizedBackupPropertyTests.differences(repository, optimized.recoveryPoint, full.recoveryPoint)
        #expect(optimizedTree == fullTree, "journal: \(changes.directories.sorted()); differences: \(differences)")
        #expect(optimized.recoveryPoint.point.summary.files == full.recoveryPoint.point.summary.files)
        #expect(optimized.recoveryPoint.point.summary.bytes == full.recoveryPoint.point.summary.bytes)
    }
}
