import FileIO
import Foundation
import Glibc
import SystemTesting
import Testing

/// A btrfs filesystem on a loop device for one test (root), and a folder beside it for the repository.
final class BtrfsLoop {
    let temp: TempDir
    let loop: LoopFilesystem
    var mountPoint: String { loop.mountPoint }

    init(megabytes: Int = 512) throws {
        temp = try TempDir()
        loop = try LoopFilesystem(type: "btrfs", megabytes: megabytes)
    }

    var snapshotFolder: String { mountPoint + "/.haven-snapshots" }
    var leftBehind: [String] { (try? FileIO.listDirectory(snapshotFolder)) ?? [] }
}

@Suite("haven backup --snapshot on a btrfs filesystem", .serialized)
struct SnapshotCLITests {
    @Test("a failed backup removes its snapshot, and the output names how each source was read")
    func failedBackupRemovesSnapshot() throws {
        let fs = try BtrfsLoop()
        let source = fs.mountPoint + "/data"
        try FileIO.makeDirectories(source)
        try FileIO.writeFileAtomically(source + "/a.txt", Array("a".utf8), durable: false)
        let cli = CLI(repository: fs.temp.sub("repo"))
        #expect(try cli.run(["repo", "init"]).status == 0)
        // A path inside another source is no source of its own, and is not mapped on its own either.
        let good = try cli.run(["backup", source, source + "/a.txt"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("point in time: \(source): btrfs snapshot"), "\(good.stdout)")
        let failed = try cli.run(["backup", source, fs.mountPoint + "/missing"])
        #expect(failed.status != 0, "\(failed.stdout)")
        #expect(fs.leftBehind.isEmpty, "left behind: \(fs.leftBehind)")
    }

    @Test("a snapshot left by a backup killed with SIGKILL is removed by the next backup, which says so")
    func killedBackupSnapshotIsRemovedNextTime() async throws {
        let fs = try BtrfsLoop()
        let source = fs.mountPoint + "/data"
        try FileIO.makeDirectories(source)
        // Enough incompressible data that the backup is still reading when it is killed.
        #expect(try Tool.status("/bin/sh", ["-c", "head -c 200M /dev/urandom > \(source)/big.bin"]) == 0)
        let cli = CLI(repository: fs.temp.sub("repo"))
        #expect(try cli.run(["repo", "init"]).status == 0)
        let backup = try cli.start(["backup", source])
        var snapshot: String?
        for _ in 0..<2000 where snapshot == nil {
            snapshot = fs.leftBehind.first { !$0.hasSuffix(".lock") && !$0.hasSuffix(".pending") }
            if snapshot == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        kill(backup.processIdentifier, SIGKILL)
        backup.waitUntilExit()
        let stale = try #require(snapshot, "the backup took no snapshot")
        #expect(backup.terminationReason == .uncaughtSignal, "the backup ended before it was killed")
        #expect(fs.leftBehind.contains(stale), "killed, the backup cannot have removed \(stale)")

        let next = try cli.run(["backup", source])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stderr.contains("removed a snapshot an earlier backup left behind: \(fs.snapshotFolder)/\(stale)"), "\(next.stderr)")
        #expect(fs.leftBehind.isEmpty, "left behind: \(fs.leftBehind)")
    }
}
