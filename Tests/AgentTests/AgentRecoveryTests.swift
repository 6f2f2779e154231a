/// The agent survives what happens to machines: a job running when the agent died, a lost state directory, a
/// cancelled backup; each leaves the vault valid and the next backup incremental.
import Agent
import Foundation
import Repository
import SQLiteDB
import Testing
import VaultClient

@Suite("Agent recovery", .serialized)
struct AgentRecoveryTests {
    @Test("a job left running by a dead agent is failed on restart and the item's next backup is unoptimized with that reason")
    func deadAgent() async throws {
        let vault = try TestVault()
        let source = try SourceTree(["a.txt": "alpha", "b.txt": "bravo"])
        let first = try TestAgent()
        try first.register(vault, paths: [source.root])
        _ = try await first.backUp()
        await first.stop()

        // What a killed agent leaves: a backup job in state running.
        let database = try AgentDatabase.open(path: first.state + "/agent.sqlite")
        let jobs = JobStore(database: database, clock: { Date() })
        let stale = try jobs.enqueue(.backup, itemKind: "files", itemName: "Files and folders", trigger: .scheduled)
        try jobs.apply(.start, to: stale.id)

        let restarted = try TestAgent(state: first.state)
        defer { Task { await restarted.stop() } }
        let failed = try await restarted.waitForJob(stale.id, seconds: 10)
        #expect(failed.state == .failed && failed.failureReason?.contains("agent stopped while the job was running") == true)
        let alerts = try restarted.service.overview().alerts
        #expect(alerts.contains { $0.severity == "warning" && $0.message.contains("interrupted") }, "\(alerts)")
        #expect(alerts.contains { $0.severity == "critical" && $0.message.contains("failed") }, "\(alerts)")

        try source.write("a.txt", "alpha 2")
        let (_, report) = try await restarted.backUp()
        #expect(report.mode == "unoptimized" && report.modeReason?.contains("interrupted") == true, "\(report.modeReason ?? "")")
        #expect(report.filesChanged == 1 && report.filesUnchanged == 1)
        #expect(try restarted.service.overview().alerts.isEmpty)
        withExtendedLifetime(first) {}
    }

    @Test("deleting the state directory and registering again with take-over rebuilds the catalog and backs up incrementally")
    func lostState() async throws {
        let vault = try TestVault()
        let source = try SourceTree(["small.txt": "small"])
        try source.writeRandom("big.bin", bytes: 1 << 20)
        let before = try TestAgent()
        try before.register(vault, paths: [source.root])
        let (_, firstReport) = try await before.backUp()
        #expect(firstReport.bytesUploaded > 1 << 20)
        await before.stop()
        try FileManager.default.removeItem(atPath: before.state)

        let after = try TestAgent(state: before.state)
        defer { Task { await after.stop() } }
        #expect(throws: AgentError.self) { try after.register(vault, passphrase: "the wrong passphrase, sixteen+", takeOver: true) }
        try after.register(vault, takeOver: true, paths: [source.root])
        let catalog = try after.service.recoveryPoints(machine: nil, passphrase: nil)
        #expect(catalog.map(\.id) == [firstReport.recoveryPoint].compactMap { $0 })
        #expect(catalog.first?.size == Int64(firstReport.bytesProtected))

        let (_, report) = try await after.backUp()
        #expect(report.filesUnchanged == 2 && report.filesNew == 0 && report.modeReason?.hasPrefix("no change journal") == true)
        #expect(report.bytesUploaded < 64 << 10, "uploaded \(report.bytesUploaded) bytes: a full re-upload would be over 1 MiB")
        #expect(try after.service.recoveryPoints(machine: nil, passphrase: nil).count == 2)
        withExtendedLifetime(before) {}
    }

    @Test("a cancelled backup commits nothing, leaves the vault valid, and the next one completes reusing what was uploaded")
    func cancel() async throws {
        let vault = try TestVault()
        let source = try SourceTree([:])
        for index in 0..<24 { try source.writeRandom("f\(index).bin", bytes: 1 << 20) }
        let agent = try TestAgent()
        defer { Task { await agent.stop() } }
        try agent.register(vault, paths: [source.root])
        var settings = try agent.service.settings()
        settings.throttle = AgentSettings.Throttle(workBytesPerSecond: 6 << 20, otherBytesPerSecond: 6 << 20, workDays: [.monday],
                                                   workStart: TimeOfDay(hour: 0, minute: 0)!, workEnd: TimeOfDay(hour: 23, minute: 59)!)
        try agent.service.saveSettings(settings)

        let job = try #require(try agent.service.backUpNow(retainUntil: nil).first)
        try await agent.waitUntilRunning(job.id)
        let deadline = Date().addingTimeInterval(30)
        // Past the first 16 MiB pack: it is on its way to the vault (throttled) when the cancel comes.
        while Date() < deadline, (agent.service.progress(of: job.id)?.bytesRead ?? 0) < 18 << 20 { try await Task.sleep(for: .milliseconds(5)) }
        let progress = try #require(agent.service.progress(of: job.id))
        #expect(progress.filesScanned > 0 && progress.bytesRead > 0)
        try agent.service.cancel(job.id)
        let cancelled = try await agent.waitForJob(job.id)
        #expect(cancelled.state == .cancelled)
        #expect(try agent.service.recoveryPoints(machine: nil, passphrase: nil).isEmpty)
        #expect(agent.service.progress(of: job.id) == nil)

        settings.throttle = nil
        try agent.service.saveSettings(settings)
        let (_, report) = try await agent.backUp()
        #expect(report.filesNew == 24)
        #expect(report.bytesUploaded < 20 << 20, "uploaded \(report.bytesUploaded) bytes: the cancelled backup's packs are reused")

        let credential = try MachineCredential.load(fromStateDirectory: agent.state)
        let store = VaultSession(credential: credential).objectStore()
        defer { try? store.close() }
        let repository = try Repository.open(store: store, passphrase: Array(TestAgent.passphrase.utf8))
        let check = try Checker(repository: repository).run(readData: true)
        #expect(check.isHealthy && check.recoveryPoints == 1, "\(check.problems)")
    }
}
