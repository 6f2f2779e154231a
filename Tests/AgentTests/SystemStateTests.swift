/// The system state through the agent: one backup item collected and archived as one recovery point, its components,
/// a restore to a folder equal to the live files, the refusal to apply it over the running system, and the System
/// State file (untarred with tar). Also read from another server with that server's passphrase.
import Agent
import Backup
import Foundation
import Testing

@Suite("System state through the agent", .serialized)
struct SystemStateTests {
    func saveSystemStateGoal(_ agent: TestAgent, _ vault: TestVault, preCommand: String? = nil, postCommand: String? = nil) throws {
        let schedule = try BackupSchedule(frequency: .daily, times: [TimeOfDay(hour: 3, minute: 0)!], timeZoneIdentifier: "UTC")
        var goal = try BackupGoal(paths: [], systemState: true, schedule: schedule)
        goal.preCommand = preCommand
        goal.postCommand = postCommand
        try agent.service.saveGoal(goal, securityPIN: try vault.pin())
    }

    /// Backs up now and waits: the job succeeds, or completes with warnings when a component could not be fully
    /// collected on this machine (a container refuses sfdisk on its disk).
    func backUp(_ agent: TestAgent) async throws -> (JobRecord, JobReport) {
        let jobs = try agent.service.backUpNow(retainUntil: Date().addingTimeInterval(86_400))
        let job = try await agent.waitForJob(try #require(jobs.first).id)
        #expect(job.state == .succeeded || job.state == .completedWithWarnings, "job failed: \(job.failureReason ?? "")")
        return (job, try #require(try agent.service.report(of: job.id)))
    }

    func run(_ tool: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("backed up as one point, restored to a folder equal to /etc, refused over the running system, and written as a System State file")
    func backupRestoreAndFile() async throws {
        let vault = try TestVault()
        let agent = try TestAgent()
        defer { Task { await agent.stop() } }
        try agent.register(vault)
        try saveSystemStateGoal(agent, vault)
        let (job, report) = try await backUp(agent)
        #expect(job.itemKind == "system-state" && job.itemName == "System state")
        let point = try #require(report.recoveryPoint)
        #expect(report.filesNew > 0)

        // The components, with what each holds in the point.
        let info = try agent.service.systemState(machine: nil, passphrase: nil, point: point)
        #expect(info.components.map(\.id) == ["etc", "boot", "packages", "accounts", "schedules", "units", "storage", "network", "firewall"])
        let etc = try #require(info.components.first { $0.id == "etc" })
        #expect(etc.status == "ok" && etc.files > 0)
        let accounts = try #require(info.components.first { $0.id == "accounts" })
        #expect(accounts.files >= 4 && accounts.paths.contains { $0.path == "/etc/shadow" && $0.present })
        #expect(info.fileName.hasPrefix("haven-system-state-web-01-") && info.fileName.hasSuffix(".tar.gz"))
        // Failed or partial components are warnings of the job; the others are not.
        let troubled = info.components.filter { $0.status == "failed" || $0.status == "partial" }
        #expect(report.warnings.filter { $0.hasPrefix("system state: ") }.count == troubled.count)

        // Restore to a folder: /etc as it is, and the collected lists beside it.
        let target = makeTemporaryDirectory("system-state")
        defer { try? FileManager.default.removeItem(atPath: target) }
        let restore = try agent.service.restore(RestoreRequest(recoveryPoint: point, paths: [], target: .alternate(target), conflict: "copy",
                                                               restorePermissions: true))
        let restored = try await agent.waitForJob(restore.id)
        #expect(restored.state == .succeeded, "\(restored.failureReason ?? "")")
        let (diffStatus, diffOutput) = try run("/usr/bin/diff", ["-rq", "--no-dereference", "/etc", target + "/etc"])
        #expect(diffStatus == 0, "\(diffOutput.prefix(2000))")
        #expect(FileManager.default.contents(atPath: target + "/etc/shadow") == FileManager.default.contents(atPath: "/etc/shadow"))
        let manifest = try SystemStateManifest.decode(Array(try #require(FileManager.default.contents(atPath: target + "/.haven-system-state/manifest.json"))))
        #expect(manifest.hostname == "web-01")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg") {
            let selections = try run("/usr/bin/dpkg", ["--get-selections"]).1
            #expect(String(decoding: try #require(FileManager.default.contents(atPath: target + "/.haven-system-state/packages/dpkg-selections.txt")),
                           as: UTF8.self) == selections)
        }

        // Never over the running system.
        let refusal = #expect(throws: AgentError.self) {
            try agent.service.restore(RestoreRequest(recoveryPoint: point, paths: ["/etc/hostname"], target: .original, conflict: "overwrite",
                                                     restorePermissions: true))
        }
        #expect(refusal?.field == "target" && refusal?.message.contains("never applied over the running system") == true)

        // The System State file: README, manifest, files and collected lists.
        let file = try agent.service.systemStateFile(machine: nil, passphrase: nil, point: point)
        let handle = FileHandle(fileDescriptor: file.descriptor, closeOnDealloc: true)
        let bytes = try #require(try handle.readToEnd())
        #expect(UInt64(bytes.count) == file.size && file.fileName == info.fileName)
        let archive = target + "/" + file.fileName
        try bytes.write(to: URL(fileURLWithPath: archive))
        let unpacked = target + "/unpacked"
        try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
        #expect(try run("/usr/bin/tar", ["-xzf", archive, "-C", unpacked]).0 == 0)
        let top = unpacked + "/" + String(file.fileName.dropLast(".tar.gz".count))
        let listing = try run("/usr/bin/tar", ["-tzf", archive]).1.split(separator: "\n")
        let topName = String(file.fileName.dropLast(".tar.gz".count))
        let outside = listing.filter { ($0 != topName && !$0.hasPrefix(topName + "/")) || $0.split(separator: "/").contains("..") }
        #expect(outside.isEmpty, "\(outside.prefix(5))")
        let readme = String(decoding: try #require(FileManager.default.contents(atPath: top + "/README.md")), as: UTF8.self)
        #expect(readme.contains("# System State file of web-01") && readme.contains("dpkg --set-selections") && readme.contains("sfdisk /dev/sdX"))
        let archived = try SystemStateManifest.decode(Array(try #require(FileManager.default.contents(atPath: top + "/manifest.json"))))
        #expect(archived == manifest)
        #expect(FileManager.default.contents(atPath: top + "/files/etc/passwd") == FileManager.default.contents(atPath: "/etc/passwd"))
        #expect(try run("/usr/bin/diff", ["-rq", "--no-dereference", "/etc", top + "/files/etc"]).0 == 0)
        #expect(FileManager.default.fileExists(atPath: top + "/collected/storage/lsblk.json"))
        #expect(!FileManager.default.fileExists(atPath: top + "/collected/manifest.json"))

        // A second backup compares every file but reads only what changed.
        let (_, second) = try await backUp(agent)
        #expect(second.mode == "unoptimized" && second.modeReason?.contains("system state is compared file by file") == true)
        #expect(second.filesUnchanged > 0)
    }

    @Test("the goal's pre-backup command runs before the system state is collected: a file it writes under /etc is in the point")
    func preCommandRunsBeforeCollection() async throws {
        let vault = try TestVault()
        let agent = try TestAgent()
        defer { Task { await agent.stop() } }
        try agent.register(vault)
        let marker = "/etc/haven-pre-command-\(UUID().uuidString.lowercased())"
        defer { try? FileManager.default.removeItem(atPath: marker) }
        try saveSystemStateGoal(agent, vault, preCommand: "echo quiesced > \(marker)", postCommand: "rm -f \(marker)")

        let (_, report) = try await backUp(agent)
        let point = try #require(report.recoveryPoint)
        let etc = try agent.service.browse(machine: nil, passphrase: nil, point: point, path: "/etc")
        #expect(etc.contains { $0.path == marker }, "\(etc.map(\.path).prefix(5))")
        #expect(report.commands?.map(\.phase) == ["pre", "post"])
        #expect(!FileManager.default.fileExists(atPath: marker), "the post-backup command did not run")
    }

    @Test("another server reads the components and the System State file of this server's point with its passphrase")
    func fromAnotherServer() async throws {
        let vault = try TestVault()
        let first = try TestAgent()
        defer { Task { await first.stop() } }
        let registration = try first.register(vault)
        try saveSystemStateGoal(first, vault)
        let point = try #require(try await backUp(first).1.recoveryPoint)
        let second = try TestAgent(hostname: "web-02")
        defer { Task { await second.stop() } }
        try second.register(vault, name: "web-02", passphrase: "another passphrase for web-02")
        #expect(throws: AgentError.self) {
            try second.service.systemState(machine: registration.machineId, passphrase: "not the right passphrase at all", point: point)
        }
        let info = try second.service.systemState(machine: registration.machineId, passphrase: TestAgent.passphrase, point: point)
        #expect(info.hostname == "web-01")
        let file = try second.service.systemStateFile(machine: registration.machineId, passphrase: TestAgent.passphrase, point: point)
        close(file.descriptor)
        #expect(file.size > 0 && file.files > 0)
    }

    @Test("a files-and-folders point is not a system state point")
    func notSystemState() async throws {
        let vault = try TestVault()
        let source = try SourceTree(["a.txt": "alpha"])
        let agent = try TestAgent()
        defer { Task { await agent.stop() } }
        try agent.register(vault, paths: [source.root])
        let point = try #require(try await backUp(agent).1.recoveryPoint)
        let error = #expect(throws: AgentError.self) { try agent.service.systemState(machine: nil, passphrase: nil, point: point) }
        #expect(error?.message.contains("not a system state recovery point") == true)
    }
}
