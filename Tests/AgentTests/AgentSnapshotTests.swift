import Agent
import Backup
import FileIO
import Foundation
import Glibc
import SystemTesting
import Testing

@Suite("The agent's point in time", .serialized)
struct AgentSnapshotTests {
    @Test("a stale snapshot is removed when the agent starts; a job reads its btrfs source from a new snapshot, reports how each source was read and removes it")
    func btrfsSourceInAgentJob() async throws {
        let fs = try LoopFilesystem(type: "btrfs", megabytes: 256)
        let btrfsSource = fs.mountPoint + "/data"
        try FileIO.makeDirectories(btrfsSource)
        try FileIO.writeFileAtomically(btrfsSource + "/ledger.txt", Array("ledger".utf8), durable: false)
        let other = try SourceTree(["notes.txt": "notes"])
        // What an agent killed during a job leaves: a read-only snapshot and a lock file nobody holds.
        let folder = fs.mountPoint + "/" + SourceSnapshots.folderName
        try FileIO.makeDirectories(folder)
        try Tool.run("/usr/bin/btrfs", ["subvolume", "snapshot", "-r", fs.mountPoint, folder + "/job-9-1-dead"])
        try FileIO.writeFileAtomically(folder + "/job-9-1-dead.lock", Array("taken by Haven\n".utf8), durable: false)

        let vault = try TestVault()
        let setup = try TestAgent(start: false)
        try setup.register(vault, paths: [btrfsSource, other.root])
        #expect(FileIO.isDirectory(folder + "/job-9-1-dead"), "nothing started yet")
        setup.start()
        defer { Task { await setup.stop() } }
        var waited = 0
        while FileIO.isDirectory(folder + "/job-9-1-dead"), waited < 200 {
            try await Task.sleep(for: .milliseconds(50))
            waited += 1
        }
        #expect(!FileIO.isDirectory(folder + "/job-9-1-dead"), "the agent's start did not remove the stale snapshot")

        let (_, report) = try await setup.backUp()
        let points = try #require(report.pointInTime)
        #expect(points.first { $0.path == btrfsSource }?.method == .btrfsSnapshot, "\(points)")
        let live = points.first { $0.path == other.root }
        #expect(live?.method == .live && live?.reason?.hasSuffix("has no snapshots") == true, "\(points)")
        #expect(report.filesNew == 2)
        #expect(((try? FileIO.listDirectory(folder)) ?? []).isEmpty, "left behind: \((try? FileIO.listDirectory(folder)) ?? [])")

        let (_, second) = try await setup.backUp()
        #expect(second.filesUnchanged == 2 && second.filesNew == 0, "\(second)")
    }
}
