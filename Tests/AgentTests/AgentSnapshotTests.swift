import Agent
import Backup
import FileIO
import Foundation
import Glibc
import Testing

/// A filesystem on a loop device for one test (root), unmounted lazily and removed when released.
final class LoopMount {
    let mountPoint: String
    private let base: String

    init(type: String, megabytes: Int) throws {
        base = makeTemporaryDirectory("loop")
        mountPoint = base + "/mnt"
        try FileIO.makeDirectories(mountPoint)
        try Self.run("/usr/bin/truncate", ["-s", "\(megabytes)M", base + "/image"])
        try Self.run("/sbin/mkfs.\(type)", (type == "ext4" ? ["-q", "-F"] : ["-q", "-f"]) + [base + "/image"])
        try Self.run("/usr/bin/mount", ["-o", "loop", base + "/image", mountPoint])
    }

    deinit {
        try? Self.run("/usr/bin/umount", ["-l", mountPoint])
        try? FileManager.default.removeItem(atPath: base)
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw AgentError(.io, "\(tool) \(arguments) failed (needs root)") }
    }
}

@Suite("The agent's point in time", .serialized)
struct AgentSnapshotTests {
    @Test("a stale snapshot is removed when the agent starts; a job reads its btrfs source from a new snapshot, reports how each source was read and removes it")
    func btrfsSourceInAgentJob() async throws {
        let fs = try LoopMount(type: "btrfs", megabytes: 256)
        let btrfsSource = fs.mountPoint + "/data"
        try FileIO.makeDirectories(btrfsSource)
        try FileIO.writeFileAtomically(btrfsSource + "/ledger.txt", Array("ledger".utf8), durable: false)
        let other = try SourceTree(["notes.txt": "notes"])
        // What an agent killed during a job leaves: a read-only snapshot and a lock file nobody holds.
        let folder = fs.mountPoint + "/" + SourceSnapshots.folderName
        try FileIO.makeDirectories(folder)
        try LoopMount.run("/usr/bin/btrfs", ["subvolume", "snapshot", "-r", fs.mountPoint, folder + "/job-9-1-dead"])
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
