import Foundation
import ObjectStore
import SQLiteDB
import VaultProtocol

/// Recovery points: committing them after their objects are uploaded, listing live and soft-deleted ones, undeleting.
extension VaultService {
    /// Commits a recovery point of the caller: its `recovery-points` object must be uploaded (`invalidRequest`)
    /// and every reference must exist for the machine (`missingObjects`). Returns false when it was committed
    /// before. Applies the item's retention at once.
    @discardableResult
    public func commitRecoveryPoint(caller: AuthenticatedMachine, _ request: CommitRecoveryPointRequest) throws -> Bool {
        guard ObjectKey.isValid(request.object, for: .recoveryPoints) else {
            throw VaultError(.invalidRequest, "object must be the 64 lowercase hex name of the recovery-points object")
        }
        guard BackupItemRef.kinds.contains(request.item.kind), (1...4096).contains(request.item.name.utf8.count) else {
            throw VaultError(.invalidRequest, "item.kind must be one of \(BackupItemRef.kinds.joined(separator: ", ")) "
                + "and item.name 1 to 4096 bytes")
        }
        guard let time = VaultTime.parse(request.time) else {
            throw VaultError(.invalidRequest, "time must be RFC 3339 in UTC with whole seconds, e.g. 2026-11-24T18:00:00Z")
        }
        let retainUntil = try request.retainUntil.map { text -> Date in
            guard let date = VaultTime.parse(text) else {
                throw VaultError(.invalidRequest, "retainUntil must be RFC 3339 in UTC with whole seconds")
            }
            return date
        }
        guard request.size >= 0 else { throw VaultError(.invalidRequest, "size must not be negative") }
        let references = try request.references.map { reference -> ObjectKey in
            let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let kind = ObjectKind(rawValue: parts[0]), kind != .config, kind != .locks,
                  let key = try? ObjectKey(kind, parts[1]) else {
                throw VaultError(.invalidRequest, "reference \(String(reflecting: String(reference.prefix(80)))) is not KIND/NAME "
                    + "of a keys, data, index or recovery-points object")
            }
            return key
        }
        let created = try mapping {
            try database.write { transaction -> Bool in
                if try !transaction.query("SELECT 1 FROM recovery_points WHERE machine = ? AND object = ?",
                                          [.text(caller.id), .text(request.object)]).isEmpty {
                    return false
                }
                guard try !transaction.query("SELECT 1 FROM objects WHERE machine = ? AND kind = 'recovery-points' AND name = ?",
                                             [.text(caller.id), .text(request.object)]).isEmpty else {
                    throw VaultError(.invalidRequest, "the recovery-points object \(request.object) was not uploaded; "
                        + "upload it first, then commit")
                }
                var missing: [String] = []
                for key in Set(references) where try transaction.query(
                    "SELECT 1 FROM objects WHERE machine = ? AND kind = ? AND name = ?",
                    [.text(caller.id), .text(key.kind.rawValue), .text(key.name)]).isEmpty {
                    missing.append(key.description)
                }
                guard missing.isEmpty else {
                    throw VaultError(.missingObjects, "\(missing.count) object(s) this recovery point references do not exist "
                        + "in the vault (they may have been garbage-collected); the next backup uploads them again",
                        missing: missing.sorted())
                }
                try transaction.execute("INSERT OR IGNORE INTO items (machine, kind, name) VALUES (?, ?, ?)",
                                        [.text(caller.id), .text(request.item.kind), .text(request.item.name)])
                let item: Int64 = try transaction.query("SELECT id FROM items WHERE machine = ? AND kind = ? AND name = ?",
                                                        [.text(caller.id), .text(request.item.kind), .text(request.item.name)])[0].get("id")
                try transaction.execute("""
                    INSERT INTO recovery_points (machine, object, item, time, size, retain_until, committed_at, state)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'live')
                    """, [.text(caller.id), .text(request.object), .integer(item), .integer(VaultTime.seconds(time)),
                          .integer(request.size), retainUntil.map { .integer(VaultTime.seconds($0)) } ?? .null, .integer(now)])
                for key in Set(references) {
                    try transaction.execute("INSERT INTO point_references (machine, point, kind, name) VALUES (?, ?, ?, ?)",
                                            [.text(caller.id), .text(request.object), .text(key.kind.rawValue), .text(key.name)])
                }
                try applyRetention(transaction, machine: caller.id, vault: caller.vaultId, item: item)
                return true
            }
        }
        return created
    }

    /// The live points of a machine, newest first, optionally of one item.
    public func recoveryPoints(machine: String, item: BackupItemRef? = nil) throws -> [RecoveryPoint] {
        try points(where: "p.machine = ? AND p.state = 'live'" + (item == nil ? "" : " AND i.kind = ? AND i.name = ?"),
                   [.text(machine)] + (item.map { [.text($0.kind), .text($0.name)] } ?? []))
    }

    /// The soft-deleted points of every machine of a vault, most recently deleted first; each is purged
    /// `softDeleteSeconds` after `deletedAt`.
    public func softDeletedRecoveryPoints(vault: String) throws -> [RecoveryPoint] {
        try points(where: "m.vault = ? AND p.state = 'deleted'", [.text(vault)], order: "p.deleted_at DESC")
    }

    /// Makes a soft-deleted point live again and holds it: retention never expires it afterwards.
    public func undelete(machine: String, point: String, actor: String = "portal") throws {
        try mapping {
            try database.write { transaction in
                try transaction.execute("""
                    UPDATE recovery_points SET state = 'live', deleted_at = NULL, held = 1
                    WHERE machine = ? AND object = ? AND state = 'deleted'
                    """, [.text(machine), .text(point)])
                guard transaction.changes == 1 else {
                    throw VaultError(.notFound, "machine \(machine) has no soft-deleted recovery point \(point.prefix(64)); "
                        + "it may have been purged already")
                }
                let vault: String? = try transaction.query("SELECT vault FROM machines WHERE id = ?", [.text(machine)]).first?.get("vault")
                try appendAudit(transaction, vault: vault, machine: machine, actor: actor, event: "recovery-point.undeleted",
                                detail: "recovery point \(point) undeleted; retention will not expire it")
            }
        }
    }

    func points(where condition: String, _ arguments: [SQLValue], order: String = "p.time DESC, p.object DESC") throws -> [RecoveryPoint] {
        try mapping {
            try database.query("""
                SELECT p.object, p.machine, i.kind, i.name, p.time, p.size, p.retain_until, p.state, p.committed_at,
                       p.deleted_at, p.held, p.seeded
                FROM recovery_points p JOIN items i ON i.id = p.item JOIN machines m ON m.id = p.machine
                WHERE \(condition) ORDER BY \(order)
                """, arguments).map { row in
                RecoveryPoint(id: try row.get("object"), machineId: try row.get("machine"),
                              item: BackupItemRef(kind: try row.get("kind"), name: try row.get("name")),
                              time: VaultTime.date(try row.get("time")), size: try row.get("size"),
                              retainUntil: try row.get("retain_until", as: Int64?.self).map(VaultTime.date),
                              state: RecoveryPoint.State(rawValue: try row.get("state")) ?? .deleted,
                              committedAt: VaultTime.date(try row.get("committed_at")),
                              deletedAt: try row.get("deleted_at", as: Int64?.self).map(VaultTime.date),
                              held: try row.get("held"), seeded: try row.get("seeded"))
            }
        }
    }
}
