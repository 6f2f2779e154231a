/// The agent's whole story against a real vault on loopback: register, goal, back up now twice (the second one
/// incremental), list, browse, search, restore with each conflict mode, and restore as another machine.
import Agent
import Foundation
import Testing

@Suite("Agent story", .serialized)
struct AgentStoryTests {
    @Test("a registered agent backs up, backs up incrementally, browses, searches and restores with each conflict mode")
    func story() async throws {
        let vault = try TestVault()
        let agent = try TestAgent()
        defer { Task { await agent.stop() } }
        let source = try SourceTree(["docs/a.txt": "alpha", "docs/b.txt": "bravo", "docs/deep/c.conf": "charlie", "top.txt": "top"])
        try source.writeRandom("data/blob.bin", bytes: 300_000)
        let info = try agent.register(vault, paths: [source.root])
        #expect(agent.service.registration() == info && info.vaultName == "Production" && info.machineName == "web-01")

        let forecast = try agent.service.overview().journal
        #expect(forecast.running && forecast.items.count == 1, "\(forecast)")
        #expect(forecast.items.first?.optimized == false && forecast.items.first?.reason?.hasPrefix("first backup") == true)

        let (first, firstReport) = try await agent.backUp()
        #expect(first.itemKind == "files" && first.itemName == "Files and folders")
        #expect(firstReport.mode == "unoptimized" && firstReport.modeReason?.hasPrefix("first backup") == true)
        #expect(firstReport.filesNew == 5 && firstReport.filesChanged == 0)
        #expect(firstReport.bytesProtected == 300_000 + 5 + 5 + 7 + 3)
        #expect(firstReport.bytesUploaded > 300_000, "random bytes do not compress")

        try source.write("docs/a.txt", "alpha, changed")
        let (_, secondReport) = try await agent.backUp()
        #expect(secondReport.filesChanged == 1 && secondReport.filesUnchanged == 4 && secondReport.filesNew == 0)
        // The agent runs its change journal (fanotify, as root): only the changed directory was listed.
        #expect(secondReport.mode == "optimized" && secondReport.modeReason == nil, "\(secondReport.mode ?? "") \(secondReport.modeReason ?? "")")
        #expect(secondReport.bytesUploaded < 100_000, "only the changed file's blob, trees and index went up")

        // The overview's forecast: the next backup is optimized and lists the one folder changed since.
        #expect(try agent.service.overview().journal.items.first?.changedDirectories == 0, "nothing changed since the second backup")
        try source.write("docs/deep/d.txt", "delta, after the second backup")
        var recorded = 0
        for _ in 0..<50 where recorded == 0 {
            try await Task.sleep(nanoseconds: 100_000_000)
            recorded = try agent.service.overview().journal.items.first?.changedDirectories ?? -1
        }
        let next = try #require(try agent.service.overview().journal.items.first)
        #expect(next.optimized && next.reason == nil && next.changedDirectories == 1, "\(next)")

        let points = try agent.service.recoveryPoints(machine: nil, passphrase: nil)
        #expect(points.count == 2)
        #expect(Set(points.map(\.id)) == [firstReport.recoveryPoint, secondReport.recoveryPoint].compactMap { $0 }.reduce(into: Set()) { $0.insert($1) })
        let firstPoint = try #require(firstReport.recoveryPoint)

        let docs = try agent.service.browse(machine: nil, passphrase: nil, point: firstPoint, path: source.root + "/docs")
        #expect(docs.map(\.name) == ["deep", "a.txt", "b.txt"] && docs[0].kind == "directory" && docs[1].size == 5)
        let found = try agent.service.search(machine: nil, passphrase: nil, point: firstPoint, pattern: "*.conf")
        #expect(found.map(\.path) == [source.root + "/docs/deep/c.conf"])

        // Restore docs from the first point to an alternate location, then again with each conflict mode.
        let target = makeTemporaryDirectory("restore")
        let restored = target + source.root + "/docs"
        func restore(_ conflict: String) async throws -> JobReport {
            let job = try agent.service.restore(RestoreRequest(recoveryPoint: firstPoint, paths: [source.root + "/docs"],
                                                               target: .alternate(target), conflict: conflict, restorePermissions: true))
            let done = try await agent.waitForJob(job.id)
            #expect(done.state == .succeeded || done.state == .completedWithWarnings, "\(done.failureReason ?? "")")
            return try #require(try agent.service.report(of: job.id))
        }
        let plain = try await restore("copy")
        #expect(plain.filesRestored == 3 && plain.bytesRestored == 17)
        #expect(FileManager.default.contents(atPath: restored + "/a.txt") == Data("alpha".utf8))
        #expect(FileManager.default.fileExists(atPath: target + source.root + "/top.txt") == false)

        try Data("local edit".utf8).write(to: URL(fileURLWithPath: restored + "/a.txt"))
        let skipped = try await restore("skip")
        #expect(FileManager.default.contents(atPath: restored + "/a.txt") == Data("local edit".utf8))
        #expect(skipped.filesSkipped == 3 && skipped.filesRestored == 0, "the report counts what was left as it was")

        let copied = try await restore("copy")
        #expect(copied.copies?.count == 3 && copied.copies?.contains { $0.hasSuffix(" Copy of a.txt") } == true,
                "the report names the copies: \(copied.copies ?? [])")
        let copies = try FileManager.default.contentsOfDirectory(atPath: restored).filter { $0.hasSuffix(" Copy of a.txt") }
        #expect(copies.count == 1)
        if let copy = copies.first {
            #expect(copy.range(of: #"^\d{4}-\d{2}-\d{2} \d{2}-\d{2} Copy of a\.txt$"#, options: .regularExpression) != nil)
            #expect(FileManager.default.contents(atPath: restored + "/" + copy) == Data("alpha".utf8))
        }
        #expect(FileManager.default.contents(atPath: restored + "/a.txt") == Data("local edit".utf8))

        _ = try await restore("overwrite")
        #expect(FileManager.default.contents(atPath: restored + "/a.txt") == Data("alpha".utf8))

        // Another registered agent restores everything of the first machine's newest point with its passphrase.
        let other = try TestAgent(hostname: "web-02")
        defer { Task { await other.stop() } }
        try other.register(vault, name: "web-02", passphrase: "another passphrase of web-02")
        let machines = try other.service.machines()
        #expect(Set(machines.map(\.name)) == ["web-01", "web-02"])
        let listed = try other.service.recoveryPoints(machine: info.machineId, passphrase: nil)
        #expect(listed.count == 2)
        #expect(throws: AgentError.self) {
            try other.service.restore(RestoreRequest(sourceMachine: info.machineId, passphrase: "not the passphrase at all",
                                                     recoveryPoint: firstPoint, paths: [], target: .alternate(target),
                                                     conflict: "copy", restorePermissions: true))
        }
        let elsewhere = makeTemporaryDirectory("elsewhere")
        let job = try other.service.restore(RestoreRequest(
            sourceMachine: info.machineId, passphrase: TestAgent.passphrase, recoveryPoint: try #require(secondReport.recoveryPoint),
            paths: [], target: .alternate(elsewhere), conflict: "copy", restorePermissions: true))
        #expect(try await other.waitForJob(job.id).state == .succeeded)
        for path in ["docs/a.txt", "docs/b.txt", "docs/deep/c.conf", "top.txt", "data/blob.bin"] {
            #expect(FileManager.default.contents(atPath: elsewhere + source.root + "/" + path) == source.read(path), "\(path)")
        }
        let overview = try agent.service.overview()
        #expect(overview.lastBackup?.state == .succeeded && overview.protectedBytes == firstReport.bytesProtected + 9)
        #expect(overview.nextBackup != nil && overview.alerts.isEmpty, "\(overview.alerts)")
    }
}
