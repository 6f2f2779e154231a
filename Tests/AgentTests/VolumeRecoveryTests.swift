/// A whole volume through the agent, on real loop filesystems and a real vault on loopback: backed up as its own item
/// without the filesystem mounted inside it, recovered into a fresh filesystem (here and on another server), over
/// itself with each conflict policy, refused for a point that is not a volume's, and not backed up while unmounted.
import Agent
import Foundation
import Glibc
import SystemTesting
import Testing

@Suite("Agent volume recovery", .serialized)
struct VolumeRecoveryTests {
    @Test("a volume item is backed up alone and recovered whole into a fresh filesystem, here and on another server")
    func volumeRecovery() async throws {
        let vault = try TestVault()
        let agent = try TestAgent()
        defer { Task { await agent.stop() } }
        let volume = try LoopFilesystem(type: "ext4", megabytes: 64)
        try VolumeTree.make(at: volume.mountPoint)
        let nested = try LoopFilesystem(type: "ext4", megabytes: 16)
        try Data("another filesystem".utf8).write(to: URL(fileURLWithPath: nested.mountPoint + "/elsewhere.txt"))
        try FileManager.default.createDirectory(atPath: volume.mountPoint + "/nested", withIntermediateDirectories: false)
        try Tool.run("/bin/mount", ["--bind", nested.mountPoint, volume.mountPoint + "/nested"])
        defer { _ = try? Tool.run("/bin/umount", ["-l", volume.mountPoint + "/nested"]) }
        let files = try SourceTree(["notes.txt": "files and folders"])

        let info = try agent.register(vault)
        let schedule = try BackupSchedule(frequency: .daily, times: [TimeOfDay(hour: 3, minute: 0)!], timeZoneIdentifier: "UTC")
        try agent.service.saveGoal(try BackupGoal(paths: [files.root], volumes: [volume.mountPoint], schedule: schedule),
                                   securityPIN: try vault.pin())
        let jobs = try agent.service.backUpNow(retainUntil: nil)
        #expect(jobs.map(\.itemKind) == ["files", "volume"] && jobs[1].itemName == volume.mountPoint)
        var points: [String: String] = [:]
        for job in jobs {
            let done = try await agent.waitForJob(job.id)
            #expect(done.state == .succeeded, "\(done.itemKind): \(done.failureReason ?? "")")
            points[job.itemKind] = try agent.service.report(of: job.id)?.recoveryPoint
        }
        let volumePoint = try #require(points["volume"])
        let filesPoint = try #require(points["files"])
        let nestedListing = try agent.service.browse(machine: nil, passphrase: nil, point: volumePoint, path: volume.mountPoint + "/nested")
        #expect(nestedListing.isEmpty, "the filesystem mounted inside the volume is not part of it")
        try Tool.run("/bin/umount", ["-l", volume.mountPoint + "/nested"])

        func restore(_ request: RestoreRequest, on agent: TestAgent = agent) async throws -> JobReport {
            let job = try agent.service.restore(request)
            #expect(job.itemKind == "volume" && job.itemName == volume.mountPoint)
            let done = try await agent.waitForJob(job.id)
            #expect(done.state == .succeeded || done.state == .completedWithWarnings, "\(done.failureReason ?? "")")
            return try #require(try agent.service.report(of: job.id))
        }

        // Into a fresh filesystem: the volume's root is its root.
        let fresh = try LoopFilesystem(type: "ext4", megabytes: 64)
        let report = try await restore(RestoreRequest(recoveryPoint: volumePoint, paths: [], target: .alternate(fresh.mountPoint),
                                                      conflict: "copy", restorePermissions: true, volume: true))
        #expect(report.warnings.isEmpty, "\(report.warnings)")
        #expect(report.filesRestored == VolumeTree.files && report.bytesRestored >= 4 << 20, "\(report)")
        #expect(VolumeTree.differences(volume.mountPoint, fresh.mountPoint, ignoring: ["/nested"]).isEmpty,
                "\(VolumeTree.differences(volume.mountPoint, fresh.mountPoint, ignoring: ["/nested"]))")

        // A point of files and folders is no volume.
        #expect(throws: AgentError.self) {
            try agent.service.restore(RestoreRequest(recoveryPoint: filesPoint, paths: [], target: .alternate(fresh.mountPoint),
                                                     conflict: "copy", restorePermissions: true, volume: true))
        }

        // Over itself at its mount point, with each conflict policy.
        let report1 = volume.mountPoint + "/data/report.txt"
        func edit() throws { try Data("edited since".utf8).write(to: URL(fileURLWithPath: report1)) }
        try edit()
        let skipped = try await restore(RestoreRequest(recoveryPoint: volumePoint, paths: [], target: .original, conflict: "skip",
                                                       restorePermissions: true, volume: true))
        #expect(FileManager.default.contents(atPath: report1) == Data("edited since".utf8))
        #expect((skipped.filesSkipped ?? 0) > 0 && skipped.filesRestored == 0, "\(skipped)")
        let copied = try await restore(RestoreRequest(recoveryPoint: volumePoint, paths: [], target: .original, conflict: "copy",
                                                      restorePermissions: true, volume: true))
        let copy = try #require(copied.copies?.first { $0.hasPrefix("data/") && $0.hasSuffix(" Copy of report.txt") }, "\(copied.copies ?? [])")
        #expect(FileManager.default.contents(atPath: volume.mountPoint + "/" + copy) == Data(VolumeTree.report.utf8))
        try FileManager.default.removeItem(atPath: volume.mountPoint + "/" + copy)
        let overwritten = try await restore(RestoreRequest(recoveryPoint: volumePoint, paths: [], target: .original, conflict: "overwrite",
                                                           restorePermissions: true, volume: true))
        #expect(FileManager.default.contents(atPath: report1) == Data(VolumeTree.report.utf8))
        #expect(overwritten.filesRestored == VolumeTree.files && overwritten.warnings.isEmpty, "\(overwritten)")

        // Another server recovers it into its own fresh filesystem with the first server's passphrase.
        let other = try TestAgent(hostname: "web-02")
        defer { Task { await other.stop() } }
        try other.register(vault, name: "web-02", passphrase: "another passphrase of web-02")
        let elsewhere = try LoopFilesystem(type: "ext4", megabytes: 64)
        let remote = try await restore(RestoreRequest(sourceMachine: info.machineId, passphrase: TestAgent.passphrase,
                                                      recoveryPoint: volumePoint, paths: [], target: .alternate(elsewhere.mountPoint),
                                                      conflict: "overwrite", restorePermissions: true, volume: true), on: other)
        #expect(remote.filesRestored == VolumeTree.files)
        #expect(VolumeTree.differences(fresh.mountPoint, elsewhere.mountPoint).isEmpty, "the same volume as restored here")

        // Unmounted, the volume is not backed up (an empty mount point is not the volume), and a restore to its
        // original location says where the files went.
        try Tool.run("/bin/umount", ["-l", volume.mountPoint])
        let again = try agent.service.backUpNow(retainUntil: nil).first { $0.itemKind == "volume" }
        let failed = try await agent.waitForJob(try #require(again).id)
        #expect(failed.state == .failed && failed.failureReason?.contains("is not mounted") == true, "\(failed.failureReason ?? "")")
        #expect(try agent.service.recoveryPoints(machine: nil, passphrase: nil).filter { $0.itemKind == "volume" }.count == 1)
        let stray = try await restore(RestoreRequest(recoveryPoint: volumePoint, paths: ["\(volume.mountPoint)/data"], target: .original,
                                                     conflict: "copy", restorePermissions: true, volume: true))
        #expect(stray.warnings.first?.contains("no filesystem is mounted there now") == true, "\(stray.warnings)")
        #expect(FileManager.default.contents(atPath: report1) == Data(VolumeTree.report.utf8), "restored into the folder left behind")
    }
}

/// A volume's tree with the cases that matter (modes, owners, a symlink, a hard link, an extended attribute, a sparse
/// file), and a comparison of two trees by content and metadata.
enum VolumeTree {
    static let report = "the backed-up report"
    /// Regular files, a hard link counted as one.
    static let files = 6

    static func make(at root: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/data/private", withIntermediateDirectories: true)
        try Data(report.utf8).write(to: URL(fileURLWithPath: root + "/data/report.txt"))
        try Data("alpha".utf8).write(to: URL(fileURLWithPath: root + "/data/private/a.txt"))
        try Data("bravo".utf8).write(to: URL(fileURLWithPath: root + "/owned.txt"))
        try Data("linky".utf8).write(to: URL(fileURLWithPath: root + "/data/linked.txt"))
        #expect(link(root + "/data/linked.txt", root + "/data/private/hardlink.txt") == 0)
        #expect(symlink("../owned.txt", root + "/data/symlink") == 0)
        #expect(chmod(root + "/data/private", 0o700) == 0 && chmod(root + "/owned.txt", 0o640) == 0)
        #expect(chown(root + "/owned.txt", 1234, 5678) == 0)
        _ = try Tool.output("/usr/bin/setfattr", ["-n", "user.origin", "-v", "volume", root + "/data/report.txt"])
        let fd = open(root + "/sparse.img", O_WRONLY | O_CREAT, 0o644)
        #expect(fd >= 0 && ftruncate(fd, 16 << 20) == 0)
        _ = [UInt8](repeating: 1, count: 4 << 20).withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 8 << 20) }
        close(fd)
    }

    /// Differences in kind, mode, owner, size, modification time, content, link target, hard-link sharing and
    /// user extended attributes; entries at paths in `ignoring` are compared by presence only.
    static func differences(_ a: String, _ b: String, ignoring: Set<String> = []) -> [String] {
        var problems: [String] = []
        var inodesA: [UInt64: String] = [:], inodesB: [UInt64: String] = [:]
        func walk(_ relative: String) {
            let left = ((try? FileManager.default.contentsOfDirectory(atPath: a + relative)) ?? []).sorted()
            let right = ((try? FileManager.default.contentsOfDirectory(atPath: b + relative)) ?? []).sorted()
            guard left == right else { return problems.append("\(relative)/: \(left) vs \(right)") }
            for name in left {
                let path = relative + "/" + name
                if ignoring.contains(path) { continue }
                var x = stat(), y = stat()
                lstat(a + path, &x)
                lstat(b + path, &y)
                if x.st_mode != y.st_mode || x.st_uid != y.st_uid || x.st_gid != y.st_gid { problems.append("\(path): mode or owner") }
                if x.st_mtim.tv_sec != y.st_mtim.tv_sec || x.st_mtim.tv_nsec != y.st_mtim.tv_nsec { problems.append("\(path): mtime") }
                if userAttributes(a + path) != userAttributes(b + path) { problems.append("\(path): extended attributes") }
                switch x.st_mode & S_IFMT {
                case S_IFDIR: walk(path)
                case S_IFLNK:
                    let targetA = try? FileManager.default.destinationOfSymbolicLink(atPath: a + path)
                    if targetA != (try? FileManager.default.destinationOfSymbolicLink(atPath: b + path)) { problems.append("\(path): link") }
                default:
                    if x.st_size != y.st_size || FileManager.default.contents(atPath: a + path) != FileManager.default.contents(atPath: b + path) {
                        problems.append("\(path): content")
                    }
                    if x.st_nlink > 1 {
                        if let first = inodesA[UInt64(x.st_ino)], inodesB[UInt64(y.st_ino)] != first { problems.append("\(path): hard link") }
                        inodesA[UInt64(x.st_ino)] = inodesA[UInt64(x.st_ino)] ?? path
                        inodesB[UInt64(y.st_ino)] = inodesB[UInt64(y.st_ino)] ?? path
                    }
                    if x.st_blocks * 512 < x.st_size, y.st_blocks > x.st_blocks + 64 { problems.append("\(path): restored dense") }
                }
            }
        }
        walk("")
        return problems
    }

    /// The entry's own user.* attributes as getfattr lists them (independent of Haven's code).
    static func userAttributes(_ path: String) -> [String] {
        let text = (try? Tool.output("/usr/bin/getfattr", ["--absolute-names", "--no-dereference", "-d", "-m", "^user\\.", "-e", "hex", path])) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }
}
