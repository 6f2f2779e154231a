import Foundation
import ObjectStore
import SQLiteDB

/// Maintenance: retention of every item (a `retainUntil` may have passed), purging old soft-deleted points,
/// and garbage collection of objects no point references.
extension VaultService {
    /// Runs retention, purge and garbage collection over every machine; what the hourly task calls.
    @discardableResult
    public func maintain() throws -> MaintenanceReport {
        var report = MaintenanceReport()
        report.expiredPoints = try applyRetentionEverywhere()
        report.purgedPoints = try purge()
        let collected = try collectGarbage()
        report.collectedObjects = collected.objects
        report.collectedBytes = collected.bytes
        return report
    }

    func applyRetentionEverywhere() throws -> Int {
        try mapping {
            try database.write { transaction in
                var expired = 0
                for row in try transaction.query("SELECT i.id, i.machine, m.vault FROM items i JOIN machines m ON m.id = i.machine") {
                    expired += try applyRetention(transaction, machine: try row.get("machine"), vault: try row.get("vault"), item: try row.get("id"))
                }
                return expired
            }
        }
    }

    /// Removes soft-deleted points older than `softDeleteSeconds`: their rows, references and `recovery-points` objects.
    @discardableResult
    public func purge() throws -> Int {
        let cutoff = now - Int64(configuration.softDeleteSeconds)
        return try mapping {
            try database.write { transaction in
                let rows = try transaction.query("""
                    SELECT p.machine, p.object, m.vault FROM recovery_points p JOIN machines m ON m.id = p.machine
                    WHERE p.state = 'deleted' AND p.deleted_at <= ?
                    """, [.integer(cutoff)])
                for row in rows {
                    let machine: String = try row.get("machine"), object: String = try row.get("object"), vault: String = try row.get("vault")
                    try transaction.execute("DELETE FROM recovery_points WHERE machine = ? AND object = ?", [.text(machine), .text(object)])
                    try transaction.execute("DELETE FROM objects WHERE machine = ? AND kind = 'recovery-points' AND name = ?",
                                            [.text(machine), .text(object)])
                    let key = try ObjectKey(.recoveryPoints, object)
                    do { try store(vault: vault, machine: machine).delete(key) } catch let error as ObjectStoreError where error.code == .notFound {}
                    try appendAudit(transaction, vault: vault, machine: machine, actor: "system", event: "recovery-point.purged",
                                    detail: "recovery point \(object) purged \(configuration.softDeleteSeconds / 86400) days after its deletion")
                }
                return rows.count
            }
        }
    }

    /// Deletes, per machine, every `data` and `index` object that no live or soft-deleted point references and
    /// that was stored before `min(now, oldest open lease's start) − gcMarginSeconds`.
    @discardableResult
    public func collectGarbage(actor: String = "system") throws -> (objects: Int, bytes: Int64) {
        try mapping {
            try database.write { transaction in
                var objects = 0, bytes: Int64 = 0
                for machineRow in try transaction.query("SELECT id, vault FROM machines") {
                    let machine: String = try machineRow.get("id"), vault: String = try machineRow.get("vault")
                    let oldestLease: Int64? = try transaction.query(
                        "SELECT MIN(started_at) AS start FROM leases WHERE machine = ? AND released_at IS NULL AND expires_at > ?",
                        [.text(machine), .integer(now)])[0].get("start")
                    let cutoff = min(now, oldestLease ?? now) - Int64(configuration.gcMarginSeconds)
                    let candidates = try transaction.query("""
                        SELECT o.kind, o.name, o.size FROM objects o
                        WHERE o.machine = ?1 AND o.kind IN ('data', 'index') AND o.stored_at < ?2
                          AND NOT EXISTS (SELECT 1 FROM point_references r WHERE r.machine = ?1 AND r.kind = o.kind AND r.name = o.name)
                        """, [.text(machine), .integer(cutoff)])
                    guard !candidates.isEmpty else { continue }
                    let store = try store(vault: vault, machine: machine)
                    var machineBytes: Int64 = 0
                    for row in candidates {
                        let kind: String = try row.get("kind"), name: String = try row.get("name")
                        try transaction.execute("DELETE FROM objects WHERE machine = ? AND kind = ? AND name = ?",
                                                [.text(machine), .text(kind), .text(name)])
                        do { try store.delete(try ObjectKey(ObjectKind(rawValue: kind)!, name)) } catch let error as ObjectStoreError where error.code == .notFound {}
                        machineBytes += try row.get("size")
                    }
                    objects += candidates.count
                    bytes += machineBytes
                    try appendAudit(transaction, vault: vault, machine: machine, actor: actor, event: "gc",
                                    detail: "garbage collection removed \(candidates.count) unreferenced object(s), \(machineBytes) bytes")
                }
                return (objects, bytes)
            }
        }
    }
}
