/// Offline seeding end to end against a real vault on loopback: the initial backup goes to a seeding folder, the vault
/// imports it, and the next backup sends only the changes; both recovery points restore exactly.
import Agent
import Foundation
import ObjectStore
import Testing
import VaultProtocol

@Suite("Offline seeding", .serialized)
struct OfflineSeedTests {
    @Test("a seeded initial backup crosses no wire, waits for its import, and the next backup uploads only the changed 1%")
    func seedImportAndIncremental() async throws {
        let vault = try TestVault()
        let agent = try TestAgent()
        defer { Task { await agent.stop() } }
        let staging = makeTemporaryDirectory("staging")
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let fileCount = 200, fileSize = 16_384
        let source = try SourceTree([:])
        defer { try? FileManager.default.removeItem(atPath: source.root) }
        for index in 0..<fileCount { try source.writeRandom("dir\(index % 10)/file\(index).bin", bytes: fileSize) }
        let treeBytes = UInt64(fileCount * fileSize)

        let info = try agent.register(vault)
        let schedule = try BackupSchedule(frequency: .daily, times: [TimeOfDay(hour: 3, minute: 0)!], timeZoneIdentifier: "UTC")
        try agent.service.saveGoal(try BackupGoal(paths: [source.root], schedule: schedule, initialBackup: .offline(stagingFolder: staging)),
                                   securityPIN: try vault.pin())

        // The seed job: everything goes to the staging folder; the vault sees only a few small requests.
        let (_, seedJob) = try await agent.backUp()
        let seed = try #require(seedJob.seed)
        #expect(seedJob.mode == "offline seed")
        #expect(seed.folder == staging + "/" + info.machineId)
        #expect(seed.bytes > Int64(treeBytes), "random data does not compress: the seed holds at least the tree")
        #expect(seed.nextSteps.contains("haven vault import-seed Production \(seed.folder)"))
        #expect(seedJob.bytesUploaded < 10_000, "no object was uploaded: \(seedJob.bytesUploaded) bytes went to the vault")
        let manifest = try JSONDecoder().decode(SeedManifest.self, from: Data(contentsOf: URL(fileURLWithPath: seed.manifest)))
        #expect(manifest.machine == info.machineId && manifest.totalObjects == seed.objects && manifest.recoveryPoint.object == seed.recoveryPoint)
        #expect(FileManager.default.fileExists(atPath: seed.folder + "/README.txt"))
        #expect(try vault.service.recoveryPoints(machine: info.machineId).isEmpty)
        let seededTree = try snapshot(source.root)

        // Until the import, a backup refuses to start a full online backup.
        let waiting = try agent.service.backUpNow(retainUntil: nil)
        let refused = try await agent.waitForJob(waiting[0].id)
        #expect(refused.state == .failed)
        #expect(refused.failureReason?.contains("waiting for the offline seed at \(seed.folder) to be imported") == true,
                "\(refused.failureReason ?? "")")

        let imported = try vault.service.importSeed(path: seed.folder, vault: "Production", actor: "test")
        #expect(imported.committed && imported.recoveryPoint == seed.recoveryPoint && imported.objects == seed.objects)
        #expect(try vault.service.recoveryPoints(machine: info.machineId).map(\.seeded) == [true])

        // 1% of the files change; the online backup sends about that much.
        let changed = fileCount / 100
        for index in 0..<changed { try source.writeRandom("dir\(index % 10)/file\(index).bin", bytes: fileSize) }
        let (_, online) = try await agent.backUp()
        #expect(online.mode != "offline seed" && online.seed == nil)
        #expect(online.filesChanged == changed && online.filesUnchanged == fileCount - changed)
        #expect(online.bytesUploaded >= UInt64(changed * fileSize), "the changed files went up")
        #expect(online.bytesUploaded < treeBytes / 20, "only the changes went up: \(online.bytesUploaded) of \(treeBytes) bytes")
        print("offline seed: seed \(seed.bytes) bytes in \(seed.objects) objects, \(seedJob.bytesUploaded) bytes sent; "
            + "online after changing \(changed) of \(fileCount) files: \(online.bytesUploaded) bytes sent of \(treeBytes)")

        // Both points restore exactly.
        for (point, expected) in [(seed.recoveryPoint, seededTree), (try #require(online.recoveryPoint), try snapshot(source.root))] {
            let target = makeTemporaryDirectory("restore")
            defer { try? FileManager.default.removeItem(atPath: target) }
            let job = try agent.service.restore(RestoreRequest(recoveryPoint: point, paths: [source.root], target: .alternate(target),
                                                               conflict: "overwrite", restorePermissions: true))
            let done = try await agent.waitForJob(job.id)
            #expect(done.state == .succeeded, "\(done.failureReason ?? "")")
            #expect(try snapshot(target + source.root) == expected, "recovery point \(point.prefix(8)) restores the tree as it was")
        }
    }

    @Test("an offline goal whose staging folder is not mounted fails with what to do, and writes nothing")
    func missingStagingFolder() async throws {
        let vault = try TestVault()
        let agent = try TestAgent()
        defer { Task { await agent.stop() } }
        let source = try SourceTree(["a.txt": "alpha"])
        defer { try? FileManager.default.removeItem(atPath: source.root) }
        try agent.register(vault)
        let schedule = try BackupSchedule(frequency: .daily, times: [TimeOfDay(hour: 3, minute: 0)!], timeZoneIdentifier: "UTC")
        let staging = source.root + "/not-mounted"
        try agent.service.saveGoal(try BackupGoal(paths: [source.root], schedule: schedule, initialBackup: .offline(stagingFolder: staging)),
                                   securityPIN: try vault.pin())
        let jobs = try agent.service.backUpNow(retainUntil: nil)
        let job = try await agent.waitForJob(jobs[0].id)
        #expect(job.state == .failed)
        #expect(job.failureReason?.contains("the offline staging folder \(staging) does not exist") == true, "\(job.failureReason ?? "")")
        #expect(!FileManager.default.fileExists(atPath: staging))
    }

    /// Every regular file under `root` by its relative path.
    func snapshot(_ root: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = try #require(FileManager.default.enumerator(atPath: root))
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = FileManager.default.contents(atPath: root + "/" + path)
            }
        }
        return files
    }
}
