/// The vault service on real SQLite files with an injected clock: credentials, authentication, objects, points, PINs.
import Foundation
import ObjectStore
import SQLiteDB
import Testing
import Vault
import VaultProtocol

@Suite("Vault service")
struct VaultServiceTests {
    @Test("credentials are refused as forged, unknown, expired or used up, in that order, and a refusal uses nothing")
    func registrationChecks() throws {
        let harness = try ServiceHarness()
        let short = try harness.credentials(seconds: 60)
        harness.clock.advance(seconds: 61)
        #expect(harness.code { _ = try harness.service.register(RegisterRequest(credentials: short, machineName: "a", hostname: "h")) } == .credentialsExpired)

        var altered = try harness.credentials()
        altered.vaultName = "Other"
        #expect(harness.code { _ = try harness.service.register(RegisterRequest(credentials: altered, machineName: "a", hostname: "h")) } == .credentialsForged)

        let once = try harness.credentials()
        #expect(harness.code { _ = try harness.service.register(RegisterRequest(credentials: once, machineName: "no/slash", hostname: "h")) } == .invalidRequest)
        _ = try harness.service.register(RegisterRequest(credentials: once, machineName: "a", hostname: "h"))
        #expect(harness.code { _ = try harness.service.register(RegisterRequest(credentials: once, machineName: "b", hostname: "h")) } == .credentialsUsedUp)

        let forgotten = try harness.credentials()
        let database = try Database(path: harness.directory + "/vault.sqlite")
        try database.execute("DELETE FROM credentials WHERE expires_at > 0 AND uses_left = 1")
        #expect(harness.code { _ = try harness.service.register(RegisterRequest(credentials: forgotten, machineName: "c", hostname: "h")) } == .credentialsUnknown)
        #expect(try harness.service.auditLog(vault: harness.vault.id).filter { $0.event == "credentials.refused" }.count == 4)
    }

    @Test("credentials live 48 hours by default and at most 10 days; the file name carries the vault and the date")
    func credentialLifetime() throws {
        let harness = try ServiceHarness()
        let credentials = try harness.credentials()
        #expect(credentials.issuedAt == "2026-11-24T10:00:00Z" && credentials.expiresAt == "2026-11-26T10:00:00Z")
        #expect(credentials.suggestedFileName == "Production_2026-11-24.VaultCredentials")
        #expect(harness.code { _ = try harness.credentials(seconds: 10 * 86400 + 1) } == .invalidRequest)
        #expect(harness.code { _ = try harness.credentials(uses: 0) } == .invalidRequest)
    }

    @Test("authentication refuses unknown machines and wrong secrets; a vault keeps state across reopening")
    func authentication() throws {
        let harness = try ServiceHarness()
        let registered = try harness.service.register(RegisterRequest(credentials: try harness.credentials(), machineName: "a", hostname: "h"))
        #expect(harness.code { _ = try harness.service.authenticate(machineId: registered.machineId, secret: registered.secret + "x") } == .secretWrong)
        #expect(harness.code { _ = try harness.service.authenticate(machineId: String(repeating: "f", count: 32), secret: registered.secret) } == .machineUnknown)
        let clock = harness.clock
        let reopened = try VaultService(configuration: harness.service.configuration, clock: { clock.now })
        #expect(try reopened.authenticate(machineId: registered.machineId, secret: registered.secret).name == "a")
        #expect(try reopened.vaults().map(\.name) == ["Production"])
    }

    @Test("objects are written once: a different config is refused, the same bytes are accepted without writing")
    func writeOnce() throws {
        let harness = try ServiceHarness()
        let machine = try harness.machine()
        #expect(try harness.service.putObject(caller: machine, machine: machine.id, key: .config, bytes: [1], lease: nil))
        #expect(try !harness.service.putObject(caller: machine, machine: machine.id, key: .config, bytes: [1], lease: nil))
        #expect(harness.code { try harness.service.putObject(caller: machine, machine: machine.id, key: .config, bytes: [2], lease: nil) } == .alreadyExists)
        #expect(try harness.service.readObject(caller: machine, machine: machine.id, key: .config) == [1])
        let lease = try harness.service.openLease(machine: machine.id, seconds: nil).id
        let key = try harness.put([1, 2, 3], machine: machine, lease: lease)
        #expect(try harness.service.readObject(caller: machine, machine: machine.id, key: key, range: 1..<3) == [2, 3])
        #expect(harness.code { _ = try harness.service.readObject(caller: machine, machine: machine.id, key: key, range: 2..<4) } == .rangeNotSatisfiable)
    }

    @Test("listing pages through every object exactly once")
    func paging() throws {
        let harness = try ServiceHarness()
        let machine = try harness.machine()
        let lease = try harness.service.openLease(machine: machine.id, seconds: nil).id
        let names = try (0..<25).map { try harness.put([UInt8($0)], machine: machine, lease: lease).name }.sorted()
        var seen: [String] = []
        var after: String?
        repeat {
            let page = try harness.service.listObjects(caller: machine, machine: machine.id, kind: .data, after: after, limit: 7)
            seen += page.objects.map(\.name)
            after = page.next
        } while after != nil
        #expect(seen == names)
    }

    @Test("a commit naming objects that do not exist lists them and commits nothing")
    func commitMissing() throws {
        let harness = try ServiceHarness()
        let machine = try harness.machine()
        let lease = try harness.service.openLease(machine: machine.id, seconds: nil).id
        let point = try harness.put([9], .recoveryPoints, machine: machine, lease: lease)
        let absent = try ObjectKey(.data, String(repeating: "e", count: 64))
        do {
            try harness.commit(point, references: [absent], time: "2026-11-24T09:00:00Z", machine: machine)
            Issue.record("the commit should have been refused")
        } catch let error as VaultError {
            #expect(error.code == .missingObjects && error.missing == [absent.description])
        }
        #expect(try harness.service.recoveryPoints(machine: machine.id).isEmpty)
    }

    @Test("committing applies retention at once; soft-deleted points can be undeleted and are then held")
    func retentionAndUndelete() throws {
        let harness = try ServiceHarness()
        let machine = try harness.machine()
        let lease = try harness.service.openLease(machine: machine.id, seconds: nil).id
        let pin = try harness.service.generatePIN(vault: harness.vault.id)
        try harness.service.setPolicy(machine: machine.id, RetentionPolicy(daily: 2), pin: pin.pin)
        var points: [ObjectKey] = []
        for day in 20...23 {
            let point = try harness.put([UInt8(day)], .recoveryPoints, machine: machine, lease: lease)
            points.append(point)
            try harness.commit(point, references: [], time: "2026-11-\(day)T10:00:00Z", machine: machine)
        }
        #expect(try harness.service.recoveryPoints(machine: machine.id).map(\.id) == [points[3].name, points[2].name])
        let deleted = try harness.service.softDeletedRecoveryPoints(vault: harness.vault.id)
        #expect(Set(deleted.map(\.id)) == [points[0].name, points[1].name])
        #expect(deleted.allSatisfy { $0.deletedAt == harness.clock.now })
        try harness.service.undelete(machine: machine.id, point: points[0].name)
        #expect(harness.code { try harness.service.undelete(machine: machine.id, point: points[0].name) } == .notFound)
        let next = try harness.put([99], .recoveryPoints, machine: machine, lease: lease)
        try harness.commit(next, references: [], time: "2026-11-24T09:00:00Z", machine: machine)
        #expect(try harness.service.recoveryPoints(machine: machine.id).map(\.id).contains(points[0].name), "an undeleted point is held")
        #expect(try harness.service.auditLog(vault: harness.vault.id).contains { $0.event == "recovery-point.undeleted" })
    }

    @Test("a PIN is single use and expires after 5 minutes")
    func pins() throws {
        let harness = try ServiceHarness()
        let machine = try harness.machine()
        let pin = try harness.service.generatePIN(vault: harness.vault.id)
        #expect(pin.expiresAt == harness.clock.now.addingTimeInterval(300))
        try harness.service.stopProtection(caller: machine, deleteData: false, pin: pin.pin)
        #expect(harness.code { try harness.service.stopProtection(caller: machine, deleteData: false, pin: pin.pin) } == .pinInvalid)
        let late = try harness.service.generatePIN(vault: harness.vault.id)
        harness.clock.advance(seconds: 300)
        #expect(harness.code { try harness.service.stopProtection(caller: machine, deleteData: false, pin: late.pin) } == .pinExpired)
        let other = try harness.service.createVault(name: "Other")
        let foreign = try harness.service.generatePIN(vault: other.id)
        #expect(harness.code { try harness.service.stopProtection(caller: machine, deleteData: false, pin: foreign.pin) } == .pinInvalid,
                "a PIN is good only in its own vault")
        #expect(try harness.service.machine(machine.id).protectionStoppedAt != nil)
    }
}
