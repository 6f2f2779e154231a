/// The audit log page over real HTTP: newest first, 50 to a page with an Older link, filtered by vault.
import Foundation
import Testing
import Vault
import VaultPortal

@Suite("vault portal audit log")
struct AuditPageTests {
    @Test("the audit log shows the newest 50 entries first, pages back with Older, and filters by vault")
    func pagingAndFilter() async throws {
        let harness = try PortalHarness()
        let browser = try await harness.signedIn()
        for index in 1...55 { try harness.service.createVault(name: String(format: "Vault %02d", index)) }
        let first = try await browser.get("/audit")
        #expect(first.status == 200)
        let names = first.text.matches(of: /vault (Vault \d\d) created/).map { String($0.output.1) }
        #expect(names.count == 50)
        #expect(names.first == "Vault 55" && names.last == "Vault 06", "newest first")
        let older = try #require(first.text.firstMatch(of: /href="(\/audit\?before=\d+)" id="older"/))
        let second = try await browser.get(String(older.output.1))
        let rest = second.text.matches(of: /vault (Vault \d\d) created/).map { String($0.output.1) }
        #expect(rest == ["Vault 05", "Vault 04", "Vault 03", "Vault 02", "Vault 01"])
        #expect(!second.text.contains("id=\"older\"") && second.text.contains("Newest"))

        let vault = try harness.service.vault("Vault 07")
        let filtered = try await browser.get("/audit?vault=\(vault.id)")
        #expect(filtered.text.matches(of: /vault (Vault \d\d) created/).map { String($0.output.1) } == ["Vault 07"])
        #expect(filtered.text.contains("<option value=\"\(vault.id)\" selected>"))
    }
}
