/// The Recover data wizard for a whole volume: what to recover → the volume's recovery points → destination, a
/// restore job whose page says what it recovered, the volume's files directly in the chosen folder, and the original
/// mount point overwritten.
import Agent
import AgentPortal
import Foundation
import PortalTesting
import Testing

@Suite("agent portal volume recovery", .serialized)
struct VolumeRecoveryPageTests {
    @Test("the wizard recovers a whole volume into another folder, then over its mount point, and lists points by what is recovered")
    func recoverVolume() async throws {
        let harness = try AgentHarness()
        defer { Task { await harness.stop() } }
        let browser = try await harness.signedIn()
        try await harness.register(browser)
        // A mounted filesystem of its own (a volume item is backed up only while mounted).
        let volume = try harness.makeSource("volume", files: [:])
        try FileManager.default.createDirectory(atPath: volume, withIntermediateDirectories: true)
        try run("/bin/mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", volume])
        defer { try? run("/bin/umount", ["-l", volume]) }
        try Data("volume report".utf8).write(to: URL(fileURLWithPath: volume + "/report.txt"))
        try FileManager.default.createDirectory(atPath: volume + "/deep/er", withIntermediateDirectories: true)
        try Data("deep".utf8).write(to: URL(fileURLWithPath: volume + "/deep/er/file.txt"))

        let fields = [("volume", volume), ("frequency", "daily"), ("time1", "21:00"), ("timeZone", "UTC"), ("keepDaily", "30"),
                      ("keepWeekly", "4"), ("keepMonthly", "12"), ("keepYearly", "1"), ("initial", "online"), ("action", "save")]
        var saved = try await browser.submit("/schedule", from: "/schedule", fields)
        if saved.status == 422 { saved = try await browser.submit("/schedule", from: "/schedule", fields + [("pin", try harness.vault.generatePIN(vault: harness.vaultId).pin)]) }
        #expect(saved.status == 303, "\(saved.text)")
        let schedule = try await browser.get("/schedule").text
        #expect(schedule.contains("value=\"\(volume)\" id=\"volume-\(volume)\" checked"), "the goal's volume stays checked though tmpfs is not listed")
        #expect(schedule.contains("<th class=\"number\">Used</th>"))

        let backup = try await browser.submit("/backup", from: "/backup", [("retainUntil", "")])
        let backupID = String(try #require(backup.header("Location")).dropFirst("/jobs/".count))
        #expect(try await harness.waitForJob(browser, backupID).contains("Succeeded"))

        // What to recover: each choice lists the points of its kind.
        let stateStep = try await browser.submit("/recover", from: "/recover", [("source", "this"), ("mode", "system-state"), ("go", "point")])
        #expect(stateStep.text.contains("No recovery points of the system state"))
        let volumeStep = try await browser.submit("/recover", from: "/recover", [("source", "this"), ("mode", "volume"), ("go", "point")])
        #expect(volumeStep.status == 200 && volumeStep.text.contains("Volume: \(volume)"), "the volume's item is offered")
        #expect(volumeStep.text.contains("value=\"options\" class=\"button primary\" id=\"next\">Next: destination"))
        #expect(!volumeStep.text.contains(">Files and folders</li>"), "a volume is recovered whole: no files step")
        let pointRange = try #require(volumeStep.text.range(of: #"name="point" value="[0-9a-f]+""#, options: .regularExpression))
        let point = String(volumeStep.text[pointRange].split(separator: "\"")[3])

        let options = try await browser.submit("/recover", from: "/recover", [("source", "this"), ("mode", "volume"), ("point", point), ("go", "options")])
        #expect(options.status == 200 && options.text.contains("id=\"recovering-volume\">The whole volume <span class=\"mono\">\(volume)</span>"))
        #expect(options.text.contains("land directly in this folder"))

        let fresh = harness.directory + "/fresh"
        let started = try await browser.submit("/recover", from: "/recover", [
            ("source", "this"), ("mode", "volume"), ("point", point), ("from", "options"), ("target", "alternate"),
            ("alternatePath", fresh), ("conflict", "copy"), ("permissions", "on"), ("go", "start"),
        ])
        #expect(started.status == 303, "\(started.text)")
        let restoreID = String(try #require(started.header("Location")).dropFirst("/jobs/".count))
        #expect(try await harness.waitForJob(browser, restoreID).contains("Succeeded"))
        let jobPage = try await browser.get("/jobs/\(restoreID)").text
        #expect(jobPage.contains("The whole volume \(volume)") && jobPage.contains("\(fresh) (the volume&#39;s root)")
                || jobPage.contains("\(fresh) (the volume's root)"), "the job says what it recovered and where")
        #expect(jobPage.contains("<dt>Files restored</dt><dd id=\"files-restored\">2</dd>"))
        #expect(FileManager.default.contents(atPath: fresh + "/report.txt") == Data("volume report".utf8))
        #expect(FileManager.default.contents(atPath: fresh + "/deep/er/file.txt") == Data("deep".utf8))
        #expect(!FileManager.default.fileExists(atPath: fresh + volume), "the volume's root is the folder, not a path under it")

        try Data("edited".utf8).write(to: URL(fileURLWithPath: volume + "/report.txt"))
        let over = try await browser.submit("/recover", from: "/recover", [
            ("source", "this"), ("mode", "volume"), ("point", point), ("from", "options"), ("target", "original"),
            ("conflict", "overwrite"), ("permissions", "on"), ("go", "start"),
        ])
        let overID = String(try #require(over.header("Location")).dropFirst("/jobs/".count))
        #expect(try await harness.waitForJob(browser, overID).contains("Succeeded"))
        #expect(try await browser.get("/jobs/\(overID)").text.contains("Its original mount point, \(volume)"))
        #expect(FileManager.default.contents(atPath: volume + "/report.txt") == Data("volume report".utf8))
    }

    private func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HarnessError("\(tool) \(arguments) exited with \(process.terminationStatus)") }
    }
}
