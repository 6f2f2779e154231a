/// Back up now → a job with progress that succeeds; the recover wizard → a restore job whose files equal the source.
import Agent
import AgentPortal
import Foundation
import Testing

@Suite("agent portal jobs and recovery", .serialized)
struct JobAndRecoveryTests {
    @Test("back up now starts a job whose page follows it to success, then the wizard recovers a folder to another place")
    func backUpAndRecover() async throws {
        let harness = try AgentHarness()
        defer { Task { await harness.stop() } }
        let browser = try await harness.signedIn()
        try await harness.register(browser)
        let site = try harness.makeSource("site", files: ["index.html": "<h1>hello</h1>", "docs/guide.txt": String(repeating: "guide ", count: 5000)])
        try await harness.saveGoal(browser, paths: [site])

        let past = try await browser.submit("/backup", from: "/backup", [("retainUntil", "2001-01-01")])
        #expect(past.status == 422 && past.text.contains("Choose a day after today"))
        let started = try await browser.submit("/backup", from: "/backup", [("retainUntil", "2099-12-31")])
        #expect(started.status == 303)
        let location = try #require(started.header("Location"))
        #expect(location.hasPrefix("/jobs/"))
        let id = String(location.dropFirst("/jobs/".count))
        let page = try await browser.get(location)
        #expect(page.status == 200 && page.text.contains("Backup #\(id)") && page.text.contains("id=\"job-\(id)-state\""))
        let final = try await harness.waitForJob(browser, id)
        #expect(final.contains("Succeeded") && final.contains("100%"), "\(final)")
        let details = try await browser.get(location)
        #expect(details.text.contains("Optimized") || details.text.contains("Unoptimized"), "the report shows the mode")
        #expect(details.text.contains("2 new"), "and the counts")
        #expect(details.text.contains("id=\"points-in-time\"") && details.text.contains("snapshot"), "and how each source was read")
        #expect(try await browser.get("/jobs").text.contains("Backup #\(id)"))
        #expect(try await browser.get("/overview").text.contains("id=\"last-state\">Succeeded"))

        let sourceStep = try await browser.submit("/recover", from: "/recover", [("source", "this"), ("go", "point")])
        #expect(sourceStep.status == 200 && sourceStep.text.contains("class=\"day has-points selected\""), "the day of the point is bold and chosen")
        let pointRange = try #require(sourceStep.text.range(of: #"name="point" value="[0-9a-f]+""#, options: .regularExpression))
        let point = String(sourceStep.text[pointRange].split(separator: "\"")[3])
        let items = try await browser.submit("/recover", from: "/recover", [("source", "this"), ("point", point), ("open", site), ("go", "items")])
        #expect(items.status == 200 && items.text.contains("value=\"\(site)/docs\""), "the point's folder is browsed")
        let options = try await browser.submit("/recover", from: "/recover", [
            ("source", "this"), ("point", point), ("path", site), ("listed", site + "/docs"), ("pick", site + "/docs"), ("go", "options"),
        ])
        #expect(options.status == 200 && options.text.contains("<li class=\"mono\">\(site)/docs</li>"))
        let target = harness.directory + "/restored"
        let missing = try await browser.submit("/recover", from: "/recover", [
            ("source", "this"), ("point", point), ("selected", site + "/docs"), ("from", "options"), ("target", "alternate"),
            ("alternatePath", "relative"), ("conflict", "copy"), ("go", "start"),
        ])
        #expect(missing.status == 422 && missing.text.contains("as an absolute path"))
        let restore = try await browser.submit("/recover", from: "/recover", [
            ("source", "this"), ("point", point), ("selected", site + "/docs"), ("from", "options"), ("target", "alternate"),
            ("alternatePath", target), ("conflict", "copy"), ("go", "start"),
        ])
        #expect(restore.status == 303)
        let restoreID = String(try #require(restore.header("Location")).dropFirst("/jobs/".count))
        let restored = try await harness.waitForJob(browser, restoreID)
        #expect(restored.contains("Succeeded"), "\(restored)")
        #expect(restored.contains("Files restored") && !restored.contains("Uploaded"), "a restore's figures are a restore's")
        let restorePage = try await browser.get("/jobs/\(restoreID)").text
        #expect(restorePage.contains("<dt>Where to</dt><dd class=\"break\">\(target)</dd>") && restorePage.contains("Create a copy beside it"),
                "the job's inputs are in words")
        #expect(restorePage.contains("<dt>Files restored</dt><dd id=\"files-restored\">1</dd>"), "and its report is there as it ends")
        let copy = try String(contentsOfFile: target + site + "/docs/guide.txt", encoding: .utf8)
        #expect(copy == String(repeating: "guide ", count: 5000))
        #expect(!FileManager.default.fileExists(atPath: target + site + "/index.html"), "only the chosen folder is recovered")
    }
}
