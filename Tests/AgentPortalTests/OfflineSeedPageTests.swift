/// The offline initial backup through the agent portal: chosen on Schedule backup, written by back up now, and the
/// job's page saying where the seed is and what to do next.
import Agent
import AgentPortal
import Foundation
import Testing

@Suite("agent portal offline seeding", .serialized)
struct OfflineSeedPageTests {
    @Test("an offline goal's first backup shows the seed's folder, size and next steps; after the import the next one runs online")
    func offlineSeedJobPage() async throws {
        let harness = try AgentHarness()
        defer { Task { await harness.stop() } }
        let browser = try await harness.signedIn()
        try await harness.register(browser)
        let site = try harness.makeSource("site", files: ["index.html": "<h1>hello</h1>", "docs/guide.txt": String(repeating: "guide ", count: 5000)])
        let staging = harness.directory + "/seed-disk"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let fields = [("path", site), ("frequency", "daily"), ("time1", "21:00"), ("timeZone", "UTC"), ("keepDaily", "30"),
                      ("keepWeekly", "4"), ("keepMonthly", "12"), ("keepYearly", "1"), ("initial", "offline"),
                      ("stagingFolder", staging), ("action", "save"), ("pin", try harness.vault.generatePIN(vault: harness.vaultId).pin)]
        let missing = try await browser.submit("/schedule", from: "/schedule", fields.map { $0.0 == "stagingFolder" ? ($0.0, "") : $0 })
        #expect(missing.status == 422 && missing.text.contains("Give the folder on the seeding disk"))
        let saved = try await browser.submit("/schedule", from: "/schedule", fields)
        #expect(saved.status == 303, "\(saved.text)")
        let schedule = try await browser.get("/schedule").text
        #expect(schedule.contains("id=\"initial-offline\" checked") && schedule.contains("value=\"\(staging)\""))

        func backUp() async throws -> String {
            let started = try await browser.submit("/backup", from: "/backup", [("retainUntil", "2099-12-31")])
            let location = try #require(started.header("Location"))
            _ = try await harness.waitForJob(browser, String(location.dropFirst("/jobs/".count)))
            return try await browser.get(location).text
        }
        let seedPage = try await backUp()
        let folder = staging + "/" + (try #require(harness.agent.registration())).machineId
        #expect(seedPage.contains("id=\"job-mode\">Offline seed"))
        #expect(seedPage.contains(folder) && seedPage.contains("id=\"seed-next\""))
        #expect(seedPage.contains("haven vault import-seed Production \(folder)"))

        let overview = try await browser.get("/overview").text
        #expect(overview.contains("The initial backup of Files and folders was written offline to \(folder)"), "\(overview)")

        let waiting = try await backUp()
        #expect(waiting.contains("waiting for the offline seed at \(folder) to be imported"), "\(waiting)")

        _ = try harness.vault.importSeed(path: folder, vault: harness.vaultId, actor: "test")
        let online = try await backUp()
        #expect(online.contains("Optimized") || online.contains("Unoptimized"))
        #expect(!online.contains("id=\"seed-folder\""))
    }
}
