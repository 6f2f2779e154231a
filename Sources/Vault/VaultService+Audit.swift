import Foundation
import SQLiteDB

/// The audit log: every registration, refused credential, PIN, deletion, undeletion, policy change and GC.
extension VaultService {
    /// Appends one entry.
    public func audit(vault: String?, machine: String? = nil, actor: String, event: String, detail: String) throws {
        try mapping {
            try database.write { try appendAudit($0, vault: vault, machine: machine, actor: actor, event: event, detail: detail) }
        }
    }

    /// The newest entries first, at most `limit`, of one vault (or of all when `vault` is nil), older than `before` (an entry id) when given.
    public func auditLog(vault: String?, limit: Int = 100, before: Int64? = nil) throws -> [AuditEntry] {
        try mapping {
            let rows = try database.query("""
                SELECT id, time, vault, machine, actor, event, detail FROM audit_log
                WHERE (?1 IS NULL OR vault = ?1) AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3
                """, [vault.sqlValue, before.sqlValue, .integer(Int64(max(1, min(limit, 1000))))])
            return try rows.map { row in
                AuditEntry(id: try row.get("id"), time: VaultTime.date(try row.get("time")), vaultId: try row.get("vault"),
                           machineId: try row.get("machine"), actor: try row.get("actor"), event: try row.get("event"),
                           detail: try row.get("detail"))
            }
        }
    }

    func appendAudit(_ transaction: Transaction, vault: String?, machine: String? = nil, actor: String, event: String,
                     detail: String) throws {
        try transaction.execute(
            "INSERT INTO audit_log (time, vault, machine, actor, event, detail) VALUES (?, ?, ?, ?, ?, ?)",
            [.integer(now), vault.sqlValue, machine.sqlValue, .text(actor), .text(event), .text(detail)])
    }
}
