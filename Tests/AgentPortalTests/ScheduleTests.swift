/// The Schedule backup form: browsing keeps the choices, validation keeps what was typed, a first policy needs a PIN.
import Agent
import AgentPortal
import Foundation
import Testing

@Suite("agent portal schedule", .serialized)
struct ScheduleTests {
    @Test("an invalid goal re-renders with a reason per field and everything that was typed")
    func validationKeepsInput() async throws {
        let harness = try AgentHarness()
        defer { Task { await harness.stop() } }
        let browser = try await harness.signedIn()
        try await harness.register(browser)
        let response = try await browser.submit("/schedule", from: "/schedule", [
            ("frequency", "weekly"), ("time1", "25:00"), ("timeZone", "Europe/Berlin"), ("keepDaily", "12"), ("keepWeekly", "x"),
            ("keepMonthly", "3"), ("keepYearly", "0"), ("exFolder", "relative/path"), ("exWildcard", "*.tmp"), ("exSubfolders", "no"),
            ("initial", "online"), ("action", "save"),
        ])
        #expect(response.status == 422)
        let html = response.text
        #expect(html.contains("Enter a time as HH:MM"))
        #expect(html.contains("Enter how many weekly recovery points to keep"))
        #expect(html.contains("An excluded folder must be an absolute path"))
        #expect(html.contains("value=\"Europe/Berlin\"") && html.contains("value=\"12\"") && html.contains("value=\"relative/path\""))
        #expect(html.contains("value=\"weekly\" id=\"weekly\" checked"), "the frequency stays")
        #expect(try harness.agent.goal() == nil)

        let nothing = try await browser.submit("/schedule", from: "/schedule", [
            ("frequency", "weekly"), ("time1", "21:00"), ("timeZone", "UTC"), ("keepDaily", "7"), ("keepWeekly", "4"),
            ("keepMonthly", "0"), ("keepYearly", "0"), ("action", "save"),
        ])
        #expect(nothing.status == 422)
        #expect(nothing.text.contains("Choose at least one day of the week"))
    }

    @Test("opening a folder in the picker keeps the ticked paths; saving asks for a PIN, then stores the goal")
    func browseAndSaveWithPIN() async throws {
        let harness = try AgentHarness()
        defer { Task { await harness.stop() } }
        let browser = try await harness.signedIn()
        try await harness.register(browser)
        let site = try harness.makeSource("site", files: ["index.html": "<h1>hi</h1>", "css/main.css": "body{}"])
        let parent = (site as NSString).deletingLastPathComponent
        let opened = try await browser.submit("/schedule", from: "/schedule", [("open", parent), ("path", "/etc/hostname"), ("time1", "03:15")])
        #expect(opened.status == 200)
        #expect(opened.text.contains("value=\"\(site)\""), "the opened folder lists its entries")
        #expect(opened.text.contains("name=\"path\" value=\"/etc/hostname\" checked"), "the ticked path is kept")
        #expect(opened.text.contains("value=\"03:15\""), "and so is the rest of the form")

        let fields: [(String, String)] = [("path", site), ("frequency", "daily"), ("time1", "21:00"), ("time2", "09:00"), ("timeZone", "UTC"),
            ("keepDaily", "30"), ("keepWeekly", "4"), ("keepMonthly", "12"), ("keepYearly", "1"),
            ("exFolder", site + "/css"), ("exWildcard", "*.map"), ("exSubfolders", "yes"), ("initial", "online"),
            ("preCommand", "echo dump > \(site)/dump.txt"), ("postCommand", ""), ("commandTimeout", "90"), ("action", "save")]
        let needsPIN = try await browser.submit("/schedule", from: "/schedule", fields)
        #expect(needsPIN.status == 422 && needsPIN.text.contains("name=\"pin\""), "the page asks for a security PIN")
        #expect(try harness.agent.goal() == nil)
        let wrong = try await browser.submit("/schedule", from: "/schedule", fields + [("pin", "00000000")])
        #expect(wrong.status == 422 && wrong.text.contains("id=\"pin-error\""))
        let pin = try harness.vault.generatePIN(vault: harness.vaultId).pin
        let saved = try await browser.submit("/schedule", from: "/schedule", fields + [("pin", pin)])
        #expect(saved.status == 303)
        let goal = try #require(try harness.agent.goal())
        #expect(goal.paths == [site] && goal.schedule.summary == "Daily at 09:00, 21:00")
        #expect(goal.exclusions.map(\.summary) == ["*.map in \(site)/css and its subfolders"])
        #expect(goal.retention == RetentionSettings(daily: 30, weekly: 4, monthly: 12, yearly: 1))
        #expect(goal.preCommand == "echo dump > \(site)/dump.txt" && goal.postCommand == nil && goal.commandTimeoutSeconds == 90)
        let again = try await browser.get("/schedule")
        #expect(again.text.contains("value=\"09:00\"") && again.text.contains("value=\"*.map\""), "the saved goal fills the form")
        #expect(again.text.contains("value=\"echo dump &gt; \(site)/dump.txt\"") || again.text.contains("value=\"echo dump > \(site)/dump.txt\""),
                "and its pre-backup command")
    }
}
