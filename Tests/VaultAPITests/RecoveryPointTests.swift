/// Recovery points, retention and the PIN over real HTTP: commit makes a point visible, only a PIN destroys.
import Foundation
import Testing
import Vault
import VaultProtocol

@Suite("Vault API: recovery points and security PINs")
struct RecoveryPointTests {
    /// Uploads a pack and a point object and returns (point name, pack name).
    func uploadPoint(_ harness: Harness, _ machine: Machine, lease: String, tag: String) async throws -> (String, String) {
        let pack = try await harness.upload(Array("pack \(tag)".utf8), machine: machine, lease: lease)
        let point = try await harness.upload(Array("point \(tag)".utf8), kind: "recovery-points", machine: machine, lease: lease)
        return (point, pack)
    }

    func commit(_ harness: Harness, _ machine: Machine, point: String, references: [String], time: String) async throws -> Int {
        try await harness.sendJSON("POST", "/machines/\(machine.id)/recovery-points",
                                   CommitRecoveryPointRequest(object: point, item: BackupItemRef(kind: "files", name: "/srv"),
                                                              time: time, size: 1234, references: references),
                                   machine: machine).status
    }

    @Test("an uploaded point is invisible until committed; commit checks references and is idempotent")
    func commitVisibility() async throws {
        let harness = try Harness()
        let machine = try await harness.register()
        let lease = try await harness.openLease(machine)
        let (point, pack) = try await uploadPoint(harness, machine, lease: lease, tag: "1")
        let listPath = "/machines/\(machine.id)/objects/recovery-points"
        #expect(try harness.decode(ObjectListPage.self, try await harness.send("GET", listPath, machine: machine)).objects.isEmpty)

        let missingName = String(repeating: "0", count: 64)
        let missing = try await harness.sendJSON("POST", "/machines/\(machine.id)/recovery-points",
            CommitRecoveryPointRequest(object: point, item: BackupItemRef(kind: "files", name: "/srv"), time: "2026-11-24T09:00:00Z",
                                       size: 1, references: ["data/\(pack)", "index/\(missingName)"]), machine: machine)
        #expect(missing.status == 409)
        #expect(try harness.decode(VaultErrorBody.self, missing).error.missing == ["index/\(missingName)"])
        let notUploaded = try await commit(harness, machine, point: missingName, references: [], time: "2026-11-24T09:00:00Z")
        #expect(notUploaded == 400)

        #expect(try await commit(harness, machine, point: point, references: ["data/\(pack)"], time: "2026-11-24T09:00:00Z") == 201)
        #expect(try await commit(harness, machine, point: point, references: ["data/\(pack)"], time: "2026-11-24T09:00:00Z") == 200)
        #expect(try harness.decode(ObjectListPage.self, try await harness.send("GET", listPath, machine: machine)).objects.map(\.name) == [point])
        let points = try harness.decode(RecoveryPointList.self, try await harness.send("GET", "/machines/\(machine.id)/recovery-points", machine: machine))
        #expect(points.recoveryPoints.map(\.id) == [point])
        #expect(points.recoveryPoints.first?.time == "2026-11-24T09:00:00Z")
        let items = try harness.decode(ItemList.self, try await harness.send("GET", "/machines/\(machine.id)/items", machine: machine))
        #expect(items.items == [ItemSummary(kind: "files", name: "/srv", recoveryPoints: 1, lastBackupAt: "2026-11-24T09:00:00Z", size: 1234)])
        let badTime = try await commit(harness, machine, point: point, references: [], time: "yesterday")
        #expect(badTime == 400)
    }

    @Test("lowering the policy needs a fresh PIN, used once; the lowered policy expires points at once")
    func pinFlow() async throws {
        let harness = try Harness()
        let machine = try await harness.register()
        let lease = try await harness.openLease(machine)
        for (day, tag) in ["2026-11-20", "2026-11-21", "2026-11-22"].enumerated() {
            let (point, pack) = try await uploadPoint(harness, machine, lease: lease, tag: "\(day)")
            #expect(try await commit(harness, machine, point: point, references: ["data/\(pack)"], time: "\(tag)T10:00:00Z") == 201)
        }
        let policyPath = "/machines/\(machine.id)/policy"
        let policy = RetentionPolicyBody(daily: 1, weekly: 0, monthly: 0, yearly: 0)
        let withoutPIN = try await harness.sendJSON("PUT", policyPath, policy, machine: machine)
        #expect(withoutPIN.status == 403 && harness.errorCode(withoutPIN) == "destroy_forbidden")
        let wrong = try await harness.sendJSON("PUT", policyPath, policy, machine: machine, headers: [("Haven-Security-PIN", "00000000")])
        #expect(harness.errorCode(wrong) == "pin_invalid" || harness.errorCode(wrong) == "pin_invalid")

        let old = try harness.service.generatePIN(vault: harness.vaultId)
        harness.clock.advance(seconds: 301)
        let expired = try await harness.sendJSON("PUT", policyPath, policy, machine: machine, headers: [("Haven-Security-PIN", old.pin)])
        #expect(expired.status == 403 && harness.errorCode(expired) == "pin_expired")

        let pin = try harness.service.generatePIN(vault: harness.vaultId)
        #expect(pin.pin.count == 8 && pin.pin.allSatisfy(\.isNumber))
        #expect(try await harness.sendJSON("PUT", policyPath, policy, machine: machine, headers: [("Haven-Security-PIN", pin.pin)]).status == 200)
        let points = try harness.decode(RecoveryPointList.self, try await harness.send("GET", "/machines/\(machine.id)/recovery-points", machine: machine))
        #expect(points.recoveryPoints.map(\.time) == ["2026-11-22T10:00:00Z"])
        #expect(try harness.service.softDeletedRecoveryPoints(vault: harness.vaultId).count == 2)

        let raising = RetentionPolicyBody(daily: 5, weekly: 0, monthly: 0, yearly: 0)
        #expect(try await harness.sendJSON("PUT", policyPath, raising, machine: machine).status == 200, "raising needs no PIN")
        let reused = try await harness.sendJSON("PUT", policyPath, policy, machine: machine, headers: [("Haven-Security-PIN", pin.pin)])
        #expect(harness.errorCode(reused) == "pin_invalid", "a PIN is good for one operation")
        #expect(try harness.decode(RetentionPolicyBody.self, try await harness.send("GET", policyPath, machine: machine)) == raising)
    }

    @Test("stop-protection with deleteData soft-deletes every point, only with a PIN")
    func stopProtection() async throws {
        let harness = try Harness()
        let machine = try await harness.register()
        let lease = try await harness.openLease(machine)
        let (point, pack) = try await uploadPoint(harness, machine, lease: lease, tag: "x")
        #expect(try await commit(harness, machine, point: point, references: ["data/\(pack)"], time: "2026-11-24T09:00:00Z") == 201)
        let path = "/machines/\(machine.id)/stop-protection"
        let refused = try await harness.sendJSON("POST", path, StopProtectionRequest(deleteData: true), machine: machine)
        #expect(refused.status == 403 && harness.errorCode(refused) == "destroy_forbidden")
        let pin = try harness.service.generatePIN(vault: harness.vaultId)
        #expect(try await harness.sendJSON("POST", path, StopProtectionRequest(deleteData: true), machine: machine,
                                           headers: [("Haven-Security-PIN", pin.pin)]).status == 204)
        let points = try harness.decode(RecoveryPointList.self, try await harness.send("GET", "/machines/\(machine.id)/recovery-points", machine: machine))
        #expect(points.recoveryPoints.isEmpty)
        #expect(try await harness.send("GET", "/machines/\(machine.id)/objects/recovery-points/\(point)", machine: machine).status == 404)
        #expect(try harness.service.auditLog(vault: harness.vaultId).contains { $0.event == "machine.protection-stopped" })
    }
}
