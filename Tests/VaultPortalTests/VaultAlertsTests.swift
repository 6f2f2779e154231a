/// The vault page's alerts, computed from what a real vault service reports at instants the test chooses.
import Foundation
import Testing
import Vault
import VaultPortal
import VaultProtocol

@Suite("vault alerts")
struct VaultAlertsTests {
    func alerts(_ harness: PortalHarness, _ vault: VaultInfo) throws -> [VaultAlerts.Alert] {
        let service = harness.service
        return VaultAlerts.evaluate(machines: try service.machines(vault: vault.id),
                                    softDeleted: try service.softDeletedRecoveryPoints(vault: vault.id),
                                    audit: try service.auditLog(vault: vault.id), softDeleteSeconds: 14 * 86400, now: harness.clock.now)
    }

    @Test("a server that backed up within 48 hours and one registered just now raise nothing")
    func healthy() throws {
        let harness = try PortalHarness()
        let vault = try harness.service.createVault(name: "Production")
        try harness.backUp(try harness.register("web-01", vault: vault.id), at: "2026-11-24T09:00:00Z", size: 1)
        harness.clock.advance(hours: 46)
        _ = try harness.register("new", vault: vault.id)
        #expect(try alerts(harness, vault).isEmpty)
    }

    @Test("a server silent for more than 48 hours, or never backed up two days after registering, raises a warning")
    func stale() throws {
        let harness = try PortalHarness()
        let vault = try harness.service.createVault(name: "Production")
        try harness.backUp(try harness.register("web-01", vault: vault.id), at: "2026-11-24T09:00:00Z", size: 1)
        _ = try harness.register("db-01", vault: vault.id)
        harness.clock.advance(hours: 49)
        let found = try alerts(harness, vault)
        #expect(found.map(\.title) == ["db-01 has never backed up", "web-01 has not backed up since 2026-11-24 09:00 UTC"])
        #expect(found.allSatisfy { $0.severity == .warning })
    }

    @Test("stopped and unregistered servers are reported, without a stale warning for them")
    func stoppedAndUnregistered() throws {
        let harness = try PortalHarness()
        let vault = try harness.service.createVault(name: "Production")
        let old = try harness.register("old", vault: vault.id)
        let paused = try harness.register("paused", vault: vault.id)
        try harness.service.unregister(machineId: old.id)
        try harness.service.stopProtection(caller: paused, deleteData: false, pin: try harness.service.generatePIN(vault: vault.id).pin)
        harness.clock.advance(hours: 100)
        let titles = try alerts(harness, vault).map(\.title)
        #expect(titles.contains("Protection of paused was stopped on 2026-11-24 10:00 UTC"))
        #expect(titles.contains("1 server unregistered: old"))
        #expect(!titles.contains { $0.contains("backed up") })
    }

    @Test("recent soft deletions warn with the purge date, and refused registrations come first as an error")
    func deletionsAndRefusals() throws {
        let harness = try PortalHarness()
        let vault = try harness.service.createVault(name: "Production")
        let credentials = try harness.service.issueCredentials(vault: vault.id, address: "https://v", certificateSHA256: "", publicKeySHA256: "")
        _ = try harness.service.register(RegisterRequest(credentials: credentials, machineName: "web-01", hostname: "w"))
        #expect(throws: VaultError.self) {
            try harness.service.register(RegisterRequest(credentials: credentials, machineName: "web-02", hostname: "w"))
        }
        let web = try harness.register("web-03", vault: vault.id)
        try harness.backUp(web, at: "2026-11-24T08:00:00Z", size: 1)
        try harness.backUp(web, at: "2026-11-24T09:00:00Z", size: 1)
        try harness.service.stopProtection(caller: web, deleteData: true, pin: try harness.service.generatePIN(vault: vault.id).pin)
        harness.clock.advance(hours: 2)
        let found = try alerts(harness, vault)
        #expect(found.map(\.severity).first == .error)
        #expect(found.map(\.title).contains("1 refused attempt in the last 3 days"))
        let deletion = try #require(found.first { $0.title == "2 recovery points soft-deleted in the last 3 days" })
        #expect(deletion.detail.contains("2026-12-08 10:00 UTC"))

        harness.clock.advance(hours: 72)
        #expect(!(try alerts(harness, vault)).contains { $0.title.contains("soft-deleted") || $0.title.contains("refused") },
                "after three days they are no longer recent")
    }
}
