/// The system state in the portal: a system-state recovery point's components page (status, files, how collected),
/// restoring it to a folder (never over the running system), and downloading its System State file.
import Agent
import AgentPortal
import Foundation
import Testing

@Suite("agent portal system state", .serialized)
struct SystemStatePageTests {
    @Test("the recovery point step links to the components page, which restores to a folder and downloads the System State file")
    func componentsPage() async throws {
        let harness = try AgentHarness()
        defer { Task { await harness.stop() } }
        let browser = try await harness.signedIn()
        try await harness.register(browser)
        let fields = [("systemState", "on"), ("frequency", "daily"), ("time1", "21:00"), ("timeZone", "UTC"), ("keepDaily", "30"),
                      ("keepWeekly", "4"), ("keepMonthly", "12"), ("keepYearly", "1"), ("initial", "online"), ("action", "save")]
        var saved = try await browser.submit("/schedule", from: "/schedule", fields)
        if saved.status == 422, saved.text.contains("name=\"pin\"") {
            saved = try await browser.submit("/schedule", from: "/schedule", fields + [("pin", try harness.vault.generatePIN(vault: harness.vaultId).pin)])
        }
        #expect(saved.status == 303, "\(saved.text.prefix(3000))")
        let started = try await browser.submit("/backup", from: "/backup", [("retainUntil", "2099-12-31")])
        let id = String(try #require(started.header("Location")).dropFirst("/jobs/".count))
        let final = try await harness.waitForJob(browser, id, seconds: 120)
        // Completed with warnings where a component is partial (a container refuses sfdisk on its disk).
        #expect(final.contains("Succeeded") || final.contains("Completed with warnings"), "\(final)")

        let pointStep = try await browser.submit("/recover", from: "/recover", [("source", "this"), ("mode", "system-state"), ("go", "point")])
        #expect(pointStep.text.contains("id=\"system-state-components\""), "a system-state item links to its components")
        let pointRange = try #require(pointStep.text.range(of: #"name="point" value="[0-9a-f]+""#, options: .regularExpression))
        let point = String(pointStep.text[pointRange].split(separator: "\"")[3])

        let page = try await browser.submit("/recover/system-state", from: "/recover", [("source", "this"), ("point", point)])
        #expect(page.status == 200)
        for id in ["etc", "boot", "packages", "accounts", "schedules", "units", "storage", "network", "firewall"] {
            #expect(page.text.contains("id=\"component-\(id)\""), "component \(id) is listed")
        }
        #expect(page.text.contains("Configuration tree") && page.text.contains("sfdisk --dump") && page.text.contains("/etc/shadow"))
        #expect(page.text.contains("<span class=\"badge ok\">ok</span>"))
        #expect(!page.text.contains("class=\"component-files\">0<") || page.text.contains("not present"))

        let relative = try await browser.submit("/recover/system-state/restore", from: "/recover", [
            ("source", "this"), ("point", point), ("folder", "relative/folder"), ("statePermissions", "on"),
        ])
        #expect(relative.status == 422 && relative.text.contains("as an absolute path"))
        let target = harness.directory + "/system-state"
        let restore = try await browser.submit("/recover/system-state/restore", from: "/recover", [
            ("source", "this"), ("point", point), ("folder", target), ("stateConflict", "copy"), ("statePermissions", "on"),
        ])
        #expect(restore.status == 303)
        let restoreID = String(try #require(restore.header("Location")).dropFirst("/jobs/".count))
        #expect(try await harness.waitForJob(browser, restoreID).contains("Succeeded"))
        #expect(FileManager.default.contents(atPath: target + "/etc/passwd") == FileManager.default.contents(atPath: "/etc/passwd"))

        // The wizard's next step after a system-state point is its components page, never the files' restore options.
        let next = try await browser.submit("/recover", from: "/recover", [
            ("source", "this"), ("mode", "system-state"), ("point", point), ("go", "items"),
        ])
        #expect(next.status == 200 && next.text.contains("id=\"component-etc\""))
        // Nor can the files' options step send the point over the running system: it is not a point of files.
        let original = try await browser.submit("/recover", from: "/recover", [
            ("source", "this"), ("point", point), ("from", "options"), ("target", "original"), ("conflict", "overwrite"), ("go", "start"),
        ])
        #expect(original.status == 422)

        let download = try await browser.submit("/recover/system-state/file", from: "/recover", [("source", "this"), ("point", point)])
        #expect(download.status == 200 && download.header("Content-Type") == "application/gzip")
        #expect(download.header("Content-Disposition")?.contains("haven-system-state-") == true)
        #expect(download.body.prefix(2) == [0x1f, 0x8b] && download.body.count > 1000)

        let bogus = try await browser.submit("/recover/system-state", from: "/recover", [("source", "this"), ("point", String(repeating: "0", count: 64))])
        #expect(bogus.status == 404 || bogus.status == 400)
    }
}
