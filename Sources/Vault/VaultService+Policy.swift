import Foundation
import SQLiteDB

/// Retention policies per machine, applying them, and stop-protection: the only ways recovery points leave.
extension VaultService {
    /// The machine's stored policy; nil when none is stored (everything is kept).
    public func policy(machine: String) throws -> RetentionPolicy? {
        try mapping { try database.read { try storedPolicy($0, machine: machine) } }
    }

    /// Stores the machine's policy and applies it to every item at once. Lowering any number (or storing a
    /// first policy) may delete points, so it needs a security PIN of the machine's vault.
    public func setPolicy(machine: String, _ policy: RetentionPolicy, pin: String?, actor: String = "machine") throws {
        for (name, value) in [("daily", policy.daily), ("weekly", policy.weekly), ("monthly", policy.monthly), ("yearly", policy.yearly)]
        where !RetentionPolicy.range.contains(value) {
            throw VaultError(.invalidRequest, "\(name) must be 0 to 9999; got \(value)")
        }
        let target = try self.machine(machine)
        let current = try self.policy(machine: machine)
        if policy.isLower(than: current) {
            guard let pin else {
                throw VaultError(.destroyForbidden, "this policy keeps fewer recovery points than the stored one, so it needs a "
                    + "security PIN: generate one in the vault portal and send it in the Haven-Security-PIN header")
            }
            try usePIN(pin, vault: target.vaultId, machine: actor == "machine" ? machine : nil, purpose: "lower the retention policy")
        }
        try mapping {
            try database.write { transaction in
                try transaction.execute("""
                    INSERT INTO policies (machine, daily, weekly, monthly, yearly, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (machine) DO UPDATE SET daily = excluded.daily, weekly = excluded.weekly,
                      monthly = excluded.monthly, yearly = excluded.yearly, updated_at = excluded.updated_at
                    """, [.text(machine), .integer(Int64(policy.daily)), .integer(Int64(policy.weekly)),
                          .integer(Int64(policy.monthly)), .integer(Int64(policy.yearly)), .integer(now)])
                try appendAudit(transaction, vault: target.vaultId, machine: machine, actor: actor, event: "policy.changed",
                                detail: "retention policy set to daily \(policy.daily), weekly \(policy.weekly), "
                                    + "monthly \(policy.monthly), yearly \(policy.yearly)")
                for item: Int64 in try transaction.query("SELECT id FROM items WHERE machine = ?", [.text(machine)]).map({ try $0.get("id") }) {
                    try applyRetention(transaction, machine: machine, vault: target.vaultId, item: item)
                }
            }
        }
    }

    /// Stops protection of the caller's machine, confirmed with a security PIN; with `deleteData` every live
    /// point is soft-deleted (recoverable for `softDeleteSeconds`).
    public func stopProtection(caller: AuthenticatedMachine, deleteData: Bool, pin: String?) throws {
        guard let pin else {
            throw VaultError(.destroyForbidden, "stop-protection needs a security PIN: generate one in the vault portal "
                + "and send it in the Haven-Security-PIN header")
        }
        try usePIN(pin, vault: caller.vaultId, machine: caller.id, purpose: "stop protection" + (deleteData ? " and delete data" : ""))
        try mapping {
            try database.write { transaction in
                try transaction.execute("UPDATE machines SET protection_stopped_at = ? WHERE id = ?", [.integer(now), .text(caller.id)])
                var detail = "protection stopped; recovery points kept"
                if deleteData {
                    try transaction.execute("""
                        UPDATE recovery_points SET state = 'deleted', deleted_at = ?, held = 0 WHERE machine = ? AND state = 'live'
                        """, [.integer(now), .text(caller.id)])
                    detail = "protection stopped; \(transaction.changes) recovery point(s) soft-deleted"
                }
                try appendAudit(transaction, vault: caller.vaultId, machine: caller.id, actor: "machine",
                                event: "machine.protection-stopped", detail: detail)
            }
        }
    }

    /// Soft-deletes the live points of one item that the machine's policy does not keep; returns how many.
    @discardableResult
    func applyRetention(_ transaction: Transaction, machine: String, vault: String, item: Int64) throws -> Int {
        guard let policy = try storedPolicy(transaction, machine: machine) else { return 0 }
        let points = try transaction.query(
            "SELECT object, time, retain_until, held FROM recovery_points WHERE item = ? AND state = 'live'", [.integer(item)]
        ).map { row in
            Retention.Point(id: try row.get("object"), time: VaultTime.date(try row.get("time")),
                            retainUntil: try row.get("retain_until", as: Int64?.self).map(VaultTime.date), held: try row.get("held"))
        }
        let keep = Retention.select(points: points, policy: policy, now: clock())
        let expired = points.filter { !keep.contains($0.id) }
        for point in expired {
            try transaction.execute("UPDATE recovery_points SET state = 'deleted', deleted_at = ? WHERE machine = ? AND object = ?",
                                    [.integer(now), .text(machine), .text(point.id)])
            try appendAudit(transaction, vault: vault, machine: machine, actor: "system", event: "recovery-point.expired",
                            detail: "recovery point \(point.id) of \(VaultTime.rfc3339(point.time)) soft-deleted by retention")
        }
        return expired.count
    }

    private func storedPolicy(_ transaction: Transaction, machine: String) throws -> RetentionPolicy? {
        try transaction.query("SELECT daily, weekly, monthly, yearly FROM policies WHERE machine = ?", [.text(machine)]).first.map {
            RetentionPolicy(daily: try $0.get("daily"), weekly: try $0.get("weekly"), monthly: try $0.get("monthly"), yearly: try $0.get("yearly"))
        }
    }
}
