/// The agent portal's pages over real HTTP: sign-in, every page before and after registration, help, 404s and CSRF.
import Agent
import AgentPortal
import Foundation
import PortalTesting
import Testing

@Suite("agent portal pages", .serialized)
struct PageTests {
    @Test("before registration every page says how to register; after it every page renders with the registration")
    func pagesRenderAfterSignIn() async throws {
        let harness = try AgentHarness()
        defer { Task { await harness.stop() } }
        let anonymous = try await Browser(base: harness.base).get("/overview")
        #expect(anonymous.status == 303 && anonymous.header("Location") == "/setup")

        let browser = try await harness.signedIn()
        #expect(browser.cookies["haven_agent_session"] != nil, "the agent's cookie is not the vault's haven_vault_session")
        let overview = try await browser.get("/overview")
        #expect(overview.status == 200 && overview.text.contains("Protect this server in three steps"))
        for path in ["/schedule", "/backup", "/recover"] {
            let page = try await browser.get(path)
            #expect(page.status == 200 && page.text.contains("not registered with a vault yet"), "\(path) says to register first")
        }
        let jobs = try await browser.get("/jobs")
        #expect(jobs.text.contains("No jobs yet") && jobs.text.contains("Register this server first"))

        try await harness.register(browser)
        let pages: [(String, [String])] = [
            ("/overview", ["web-01", "Production", "None yet", "No jobs yet", "Schedule backup"]),
            ("/register", ["web-01 is registered with the vault Production"]),
            ("/schedule", ["Files and folders", "Volumes and system state", "Exclusions", "Retention", "value=\"180\"", "Save schedule"]),
            ("/backup", ["Nothing to back up yet"]),
            ("/jobs", ["No jobs yet", "Back up now"]),
            ("/recover", ["This server", "(web-01)", "Another server of the vault", "No other server is registered"]),
            ("/settings", ["Cache folder", "Bandwidth throttling", "Notifications", "Change passphrase", "Type <strong>web-01</strong> to confirm"]),
            ("/help", ["Help"]),
        ]
        for (path, texts) in pages {
            let page = try await browser.get(path)
            #expect(page.status == 200, "\(path) renders")
            for text in texts { #expect(page.text.contains(text), "\(path) shows \(text)") }
            if path != "/help" { #expect(page.text.contains("href=\"/static/css/agent.css\""), "\(path) carries the agent's styles") }
        }
        #expect(try await browser.get("/jobs/999").status == 404)
        #expect(try await browser.get("/jobs/abc").status == 404)
    }

    @Test("a form posted without the session's CSRF token is refused and changes nothing")
    func csrfRequired() async throws {
        let harness = try AgentHarness()
        defer { Task { await harness.stop() } }
        let browser = try await harness.signedIn()
        try await harness.register(browser)
        let without = try await browser.post("/settings/unregister", [("confirmName", "web-01")])
        #expect(without.status == 403)
        let forged = try await browser.post("/settings/unregister", [("_csrf", String(repeating: "0", count: 64)), ("confirmName", "web-01")])
        #expect(forged.status == 403)
        #expect(harness.agent.registration() != nil, "the server is still registered")
        let api = try await browser.get("/api/v1/status")
        #expect(api.status == 401 && api.header("WWW-Authenticate") != nil, "/api/ is the API's (a bearer token), not the portal's session")
    }

    @Test("unregistering needs the server's name typed, then forgets the registration")
    func unregister() async throws {
        let harness = try AgentHarness()
        defer { Task { await harness.stop() } }
        let browser = try await harness.signedIn()
        try await harness.register(browser)
        let wrong = try await browser.submit("/settings/unregister", from: "/settings", [("confirmName", "web-02")])
        #expect(wrong.status == 422 && wrong.text.contains("name, web-01, to confirm."))
        #expect(harness.agent.registration() != nil)
        let done = try await browser.submit("/settings/unregister", from: "/settings", [("confirmName", "web-01")])
        #expect(done.status == 303 && done.header("Location") == "/overview")
        #expect(harness.agent.registration() == nil)
        #expect(try await browser.get("/overview").text.contains("web-01 is unregistered"))
    }
}
