/// The vault portal's pages over real HTTP: sign-in, vaults, a vault, a server, audit log, help, 404s and CSRF.
import Foundation
import PortalTesting
import Testing
import Vault
import VaultPortal

@Suite("vault portal pages")
struct PageTests {
    @Test("a visitor without a session is sent to setup, and after setup every page renders")
    func pagesRenderAfterSignIn() async throws {
        let harness = try PortalHarness()
        let anonymous = try await Browser(base: harness.base).get("/vaults")
        #expect(anonymous.status == 303 && anonymous.header("Location") == "/setup")

        let browser = try await harness.signedIn()
        let empty = try await browser.get("/vaults")
        #expect(empty.status == 200)
        #expect(empty.text.contains("No vaults yet") && empty.text.contains("Create vault"))

        let vault = try harness.service.createVault(name: "Production")
        let machine = try harness.register("web-01", vault: vault.id)
        try harness.backUp(machine, at: "2026-11-24T08:00:00Z", size: 1_300_000_000)
        let list = try await browser.get("/vaults")
        #expect(list.text.contains("<a href=\"/vaults/\(vault.id)\" class=\"strong\">Production</a>"))
        #expect(list.text.contains("data-sort=\"51\">51 B</td>"), "storage is the bytes stored (a 25-byte pack and a 26-byte point)")

        let page = try await browser.get("/vaults/\(vault.id)")
        #expect(page.status == 200)
        for text in ["web-01", "web-01.example.com", "Protected", "2 hours ago", "1.3 GB", "Download vault credentials",
                     "Generate security PIN", "Run maintenance now", "No soft-deleted recovery points"] {
            #expect(page.text.contains(text), "the vault page shows \(text)")
        }
        #expect(try await browser.get("/vaults/Production").status == 200, "a vault is found by name as well")

        let server = try await browser.get("/vaults/\(vault.id)/servers/\(machine.id)")
        #expect(server.status == 200)
        #expect(server.text.contains("Files and folders") && server.text.contains("2026-11-24 08:00 UTC"))
        #expect(server.text.contains("every recovery point is kept"))

        let audit = try await browser.get("/audit")
        #expect(audit.status == 200 && audit.text.contains("machine.registered") && audit.text.contains("vault.created"))
        let help = try await browser.get("/help/vault-guide")
        #expect(help.status == 200 && help.text.contains("Administering the vault portal"))
    }

    @Test("creating a vault with a blank, too long or taken name re-renders the form with the reason and what was typed")
    func createVaultValidation() async throws {
        let harness = try PortalHarness()
        let browser = try await harness.signedIn()
        let blank = try await browser.submit("/vaults", from: "/vaults", [("name", "   ")])
        #expect(blank.status == 422 && blank.text.contains("Give the vault a name"))

        let long = String(repeating: "x", count: 65)
        let tooLong = try await browser.submit("/vaults", from: "/vaults", [("name", long)])
        #expect(tooLong.status == 422 && tooLong.text.contains("at most 64 characters"))
        #expect(tooLong.text.contains("value=\"\(long)\""), "what was typed stays in the field")

        let created = try await browser.submit("/vaults", from: "/vaults", [("name", "Branch <office>")])
        let id = try #require(try harness.service.vaults().first?.id)
        #expect(created.status == 303 && created.header("Location") == "/vaults/\(id)")
        let page = try await browser.get("/vaults/\(id)")
        #expect(page.text.contains("Vault Branch &lt;office&gt; created"), "the flash is shown once, escaped")

        let taken = try await browser.submit("/vaults", from: "/vaults", [("name", "Branch <office>")])
        #expect(taken.status == 422 && taken.text.contains("already exists"))
        #expect(taken.text.contains("value=\"Branch &lt;office&gt;\""))
        #expect(try harness.service.vaults().count == 1)
    }

    @Test("unknown vaults and servers answer 404 pages with the reason; a bad audit page number answers 400")
    func notFound() async throws {
        let harness = try PortalHarness()
        let browser = try await harness.signedIn()
        let vault = try harness.service.createVault(name: "Production")
        let other = try harness.service.createVault(name: "Other")
        let stranger = try harness.register("db-01", vault: other.id)

        let missing = try await browser.get("/vaults/no-such-vault")
        #expect(missing.status == 404 && missing.text.contains("there is no vault"))
        let foreign = try await browser.get("/vaults/\(vault.id)/servers/\(stranger.id)")
        #expect(foreign.status == 404, "a server of another vault is not found through this one")
        let pin = try await browser.submit("/vaults/no-such-vault/pin", from: "/vaults")
        #expect(pin.status == 404)
        #expect(try await browser.get("/audit?before=abc").status == 400)
        #expect(try await browser.get("/audit?vault=nope").status == 404)
    }

    @Test("a POST without the CSRF token is refused with 403 and changes nothing")
    func csrfRequired() async throws {
        let harness = try PortalHarness()
        let browser = try await harness.signedIn()
        let vault = try harness.service.createVault(name: "Production")
        let before = try harness.service.auditLog(vault: nil).count

        #expect(try await browser.post("/vaults", [("name", "Sneaky")]).status == 403)
        #expect(try await browser.post("/vaults/\(vault.id)/pin", []).status == 403)
        #expect(try await browser.post("/vaults/\(vault.id)/credentials", [("hours", "48"), ("machines", "1")]).status == 403)
        #expect(try await browser.post("/vaults/\(vault.id)/pin", [("_csrf", "0123456789abcdef")]).status == 403)
        #expect(try harness.service.vaults().map(\.name) == ["Production"])
        #expect(try harness.service.auditLog(vault: nil).count == before, "no PIN or credentials were issued")
    }
}
