/// Purge after the soft-delete period and garbage collection: what is kept, what goes.
import Foundation
import ObjectStore
import Testing
import Vault
import VaultProtocol

@Suite("Vault maintenance")
struct MaintenanceTests {
    @Test("soft-deleted points are purged after 14 days, not before, with their recovery-points object")
    func purge() throws {
        let harness = try ServiceHarness()
        let machine = try harness.machine()
        let lease = try harness.service.openLease(machine: machine.id, seconds: nil).id
        let point = try harness.put([1], .recoveryPoints, machine: machine, lease: lease)
        try harness.commit(point, references: [], time: "2026-11-24T09:00:00Z", machine: machine)
        let pin = try harness.service.generatePIN(vault: harness.vault.id)
        try harness.service.stopProtection(caller: machine, deleteData: true, pin: pin.pin)
        harness.clock.advance(seconds: 14 * 86400 - 1)
        #expect(try harness.service.purge() == 0)
        harness.clock.advance(seconds: 1)
        #expect(try harness.service.purge() == 1)
        #expect(try harness.service.softDeletedRecoveryPoints(vault: harness.vault.id).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "\(harness.directory)/objects/\(harness.vault.id)/\(machine.id)/recovery-points/\(point.name)"))
    }

    @Test("GC keeps objects referenced by live or soft-deleted points and objects younger than an open lease, and deletes the rest")
    func garbageCollection() throws {
        let harness = try ServiceHarness(gcMarginSeconds: 3600)
        let machine = try harness.machine()
        let first = try harness.service.openLease(machine: machine.id, seconds: 86400).id
        let referenced = try harness.put(Array("live".utf8), machine: machine, lease: first)
        let referencedBySoftDeleted = try harness.put(Array("deleted".utf8), machine: machine, lease: first)
        let orphan = try harness.put(Array("orphan".utf8), .index, machine: machine, lease: first)
        let livePoint = try harness.put(Array("p1".utf8), .recoveryPoints, machine: machine, lease: first)
        let oldPoint = try harness.put(Array("p0".utf8), .recoveryPoints, machine: machine, lease: first)
        try harness.commit(oldPoint, references: [referencedBySoftDeleted], time: "2026-11-23T10:00:00Z", machine: machine)
        try harness.commit(livePoint, references: [referenced], time: "2026-11-24T10:00:00Z", machine: machine)
        let pin = try harness.service.generatePIN(vault: harness.vault.id)
        try harness.service.setPolicy(machine: machine.id, RetentionPolicy(), pin: pin.pin)
        #expect(try harness.service.recoveryPoints(machine: machine.id).map(\.id) == [livePoint.name])
        try harness.service.releaseLease(machine: machine.id, id: first)

        harness.clock.advance(seconds: 7200)
        let protecting = try harness.service.openLease(machine: machine.id, seconds: 3600).id
        let fresh = try harness.put(Array("uploaded under the new lease".utf8), machine: machine, lease: protecting)
        harness.clock.advance(seconds: 3500)
        let collected = try harness.service.collectGarbage()
        #expect(collected.objects == 1 && collected.bytes == Int64("orphan".utf8.count))
        let remaining = Set(try harness.service.listObjects(caller: machine, machine: machine.id, kind: .data, after: nil).objects.map(\.name))
        #expect(remaining == [referenced.name, referencedBySoftDeleted.name, fresh.name])
        #expect(try harness.service.listObjects(caller: machine, machine: machine.id, kind: .index, after: nil).objects.isEmpty)

        // Once the lease is gone and the margin has passed, the unreferenced fresh pack goes too.
        try harness.service.releaseLease(machine: machine.id, id: protecting)
        harness.clock.advance(seconds: 3600)
        #expect(try harness.service.collectGarbage().objects == 1)
        #expect(harness.code { _ = try harness.service.objectSize(caller: machine, machine: machine.id, key: fresh) } == .notFound)
        #expect(try harness.service.auditLog(vault: harness.vault.id).contains { $0.event == "gc" })
    }

    @Test("re-uploading an object refreshes its age, so an open lease protects it from GC again")
    func reuploadRefreshes() throws {
        let harness = try ServiceHarness(gcMarginSeconds: 60)
        let machine = try harness.machine()
        let lease = try harness.service.openLease(machine: machine.id, seconds: 600).id
        let key = try harness.put([5], machine: machine, lease: lease)
        try harness.service.releaseLease(machine: machine.id, id: lease)
        harness.clock.advance(seconds: 86400)
        let next = try harness.service.openLease(machine: machine.id, seconds: 600).id
        #expect(try !harness.service.putObject(caller: machine, machine: machine.id, key: key, bytes: [5], lease: next))
        #expect(try harness.service.collectGarbage().objects == 0)
        #expect(try harness.service.objectSize(caller: machine, machine: machine.id, key: key) == 1)
    }

    @Test("touching an object under a lease (the resumption HEAD) protects it from GC like a re-upload, and needs an open lease")
    func touchRefreshes() throws {
        let harness = try ServiceHarness(gcMarginSeconds: 60)
        let machine = try harness.machine()
        let lease = try harness.service.openLease(machine: machine.id, seconds: 600).id
        let key = try harness.put([7], machine: machine, lease: lease)
        try harness.service.releaseLease(machine: machine.id, id: lease)
        harness.clock.advance(seconds: 86400)
        #expect(harness.code { try harness.service.touchObject(caller: machine, key: key, lease: lease) } == .leaseExpired)
        let next = try harness.service.openLease(machine: machine.id, seconds: 600).id
        try harness.service.touchObject(caller: machine, key: key, lease: next)
        #expect(try harness.service.collectGarbage().objects == 0)
        let missing = try ObjectKey(.data, String(repeating: "0", count: 64))
        #expect(harness.code { try harness.service.touchObject(caller: machine, key: missing, lease: next) } == .notFound)
    }
}
