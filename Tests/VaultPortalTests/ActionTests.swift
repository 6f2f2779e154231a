/// The vault page's actions over real HTTP: credentials download, security PIN, undelete, maintenance.
import Foundation
import Testing
import Vault
import VaultPortal
import VaultProtocol

@Suite("vault portal actions")
struct ActionTests {
    @Test("downloaded credentials carry the filename, address and pins, and register as many machines as asked")
    func credentialsDownload() async throws {
        let harness = try PortalHarness()
        let browser = try await harness.signedIn()
        let vault = try harness.service.createVault(name: "Branch office")
        let response = try await browser.submit("/vaults/\(vault.id)/credentials", from: "/vaults/\(vault.id)",
                                                [("hours", "5"), ("machines", "2")])
        #expect(response.status == 200)
        #expect(response.header("Content-Disposition") == "attachment; filename=\"Branch-office_2026-11-24.VaultCredentials\"")
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("Cache-Control")?.contains("no-store") == true)
        let credentials = try JSONDecoder().decode(VaultCredentials.self, from: Data(response.body))
        #expect(credentials.vaultId == vault.id && credentials.vaultName == "Branch office")
        #expect(credentials.address == PortalHarness.identity.address)
        #expect(credentials.certificateSHA256 == PortalHarness.identity.certificateSHA256)
        #expect(credentials.publicKeySHA256 == PortalHarness.identity.publicKeySHA256)
        #expect(credentials.expiresAt == "2026-11-24T15:00:00Z")

        for name in ["web-01", "web-02"] {
            let registered = try harness.service.register(RegisterRequest(credentials: credentials, machineName: name, hostname: name))
            #expect(registered.vaultId == vault.id)
        }
        #expect(throws: VaultError.self) {
            try harness.service.register(RegisterRequest(credentials: credentials, machineName: "web-03", hostname: "web-03"))
        }
        var forged = credentials
        forged.expiresAt = "2027-11-24T15:00:00Z"
        let refusal = #expect(throws: VaultError.self) {
            try harness.service.register(RegisterRequest(credentials: forged, machineName: "web-04", hostname: "web-04"))
        }
        #expect(refusal?.code == .credentialsForged)
        #expect(try harness.service.auditLog(vault: vault.id).contains { $0.event == "credentials.issued" && $0.actor == "portal" })
    }

    @Test("out-of-range credentials settings re-render the vault page with the reason and keep what was typed")
    func credentialsValidation() async throws {
        let harness = try PortalHarness()
        let browser = try await harness.signedIn()
        let vault = try harness.service.createVault(name: "Production")
        let page = "/vaults/\(vault.id)"
        let tooLong = try await browser.submit(page + "/credentials", from: page, [("hours", "241"), ("machines", "1")])
        #expect(tooLong.status == 422 && tooLong.text.contains("from 1 to 240"))
        #expect(tooLong.text.contains("value=\"241\""))
        let notNumber = try await browser.submit(page + "/credentials", from: page, [("hours", "48"), ("machines", "two")])
        #expect(notNumber.status == 422 && notNumber.text.contains("from 1 to 1000") && notNumber.text.contains("value=\"two\""))
        #expect(try !harness.service.auditLog(vault: vault.id).contains { $0.event == "credentials.issued" })
    }

    @Test("the PIN page shows 8 digits valid for 5 minutes, and a machine can use that PIN once")
    func securityPIN() async throws {
        let harness = try PortalHarness()
        let browser = try await harness.signedIn()
        let vault = try harness.service.createVault(name: "Production")
        let machine = try harness.register("web-01", vault: vault.id)
        let response = try await browser.submit("/vaults/\(vault.id)/pin", from: "/vaults/\(vault.id)")
        #expect(response.status == 200)
        let match = try #require(response.text.firstMatch(of: /aria-label="Security PIN (\d{8})"/))
        let pin = String(match.output.1)
        #expect(response.text.contains("datetime=\"2026-11-24T10:05:00Z\""), "valid until 5 minutes from now")
        #expect(response.text.contains("<span>\(pin.prefix(4))</span><span>\(pin.suffix(4))</span>"))

        try harness.service.setPolicy(machine: machine.id, RetentionPolicy(daily: 7), pin: pin)
        #expect(throws: VaultError.self) { try harness.service.setPolicy(machine: machine.id, RetentionPolicy(daily: 1), pin: pin) }
        let events = try harness.service.auditLog(vault: vault.id).map(\.event)
        #expect(events.contains("pin.generated") && events.contains("pin.used"))
    }

    @Test("a soft-deleted point is listed with the time left, and Undelete makes it live and held")
    func undelete() async throws {
        let harness = try PortalHarness()
        let vault = try harness.service.createVault(name: "Production")
        let machine = try harness.register("web-01", vault: vault.id)
        let point = try harness.backUp(machine, at: "2026-11-23T22:00:00Z", size: 4_200_000)
        let pin = try harness.service.generatePIN(vault: vault.id).pin
        try harness.service.stopProtection(caller: machine, deleteData: true, pin: pin)
        harness.clock.advance(hours: 24)
        let browser = try await harness.signedIn()  // after the clock moved: sessions expire on the same clock

        let page = try await browser.get("/vaults/\(vault.id)")
        #expect(page.text.contains("name=\"point\" value=\"\(point)\""))
        #expect(page.text.contains("13 d 0 h"), "14 days after deletion, one day has passed")
        #expect(page.text.contains("1 recovery point soft-deleted in the last 3 days"))
        #expect(page.text.contains("Protection of web-01 was stopped"))

        let undone = try await browser.submit("/vaults/\(vault.id)/undelete", from: "/vaults/\(vault.id)",
                                              [("machine", machine.id), ("point", point)])
        #expect(undone.status == 303 && undone.header("Location") == "/vaults/\(vault.id)")
        let live = try harness.service.recoveryPoints(machine: machine.id)
        #expect(live.map(\.id) == [point] && live[0].held)
        #expect(try await browser.get("/vaults/\(vault.id)").text.contains("is live again"))
        #expect(try harness.service.auditLog(vault: vault.id).first?.event == "recovery-point.undeleted")

        let again = try await browser.submit("/vaults/\(vault.id)/undelete", from: "/vaults/\(vault.id)",
                                             [("machine", machine.id), ("point", point)])
        #expect(again.status == 404 && again.text.contains("no soft-deleted recovery point"))
        let empty = try await browser.submit("/vaults/\(vault.id)/undelete", from: "/vaults/\(vault.id)")
        #expect(empty.status == 400)
    }

    @Test("Run maintenance now purges points past the soft-delete period, says so, and records it")
    func maintenance() async throws {
        let harness = try PortalHarness()
        let vault = try harness.service.createVault(name: "Production")
        let machine = try harness.register("web-01", vault: vault.id)
        try harness.backUp(machine, at: "2026-11-23T22:00:00Z", size: 10)
        try harness.service.stopProtection(caller: machine, deleteData: true, pin: try harness.service.generatePIN(vault: vault.id).pin)
        harness.clock.advance(hours: 15 * 24)
        let browser = try await harness.signedIn()  // after the clock moved: sessions expire on the same clock

        let response = try await browser.submit("/vaults/\(vault.id)/maintenance", from: "/vaults/\(vault.id)")
        #expect(response.status == 303)
        let page = try await browser.get("/vaults/\(vault.id)")
        #expect(page.text.contains("Maintenance finished: 0 recovery point(s) expired by retention, 1 purged"))
        #expect(try harness.service.softDeletedRecoveryPoints(vault: vault.id).isEmpty)
        #expect(try harness.service.auditLog(vault: vault.id).first?.event == "maintenance.run")
    }
}
