import Crypto
import Foundation
import SQLiteDB

/// Machines: authenticating their requests, unregistering, and listing machines and their backup items.
extension VaultService {
    /// Checks a machine credential in time that does not depend on where the secret differs.
    public func authenticate(machineId: String, secret: String) throws -> AuthenticatedMachine {
        let presented = SHA256.hash(Array(secret.utf8))
        let row = try mapping {
            try database.query("SELECT id, vault, name, secret_hash, state FROM machines WHERE id = ?", [.text(machineId)]).first
        }
        guard let row else {
            throw VaultError(.machineUnknown, "this vault has no machine \(machineId.prefix(32)); "
                + "register the machine again with a vault credentials file")
        }
        let stored: [UInt8] = try mapping { try row.get("secret_hash") }
        guard constantTimeEquals(stored, presented) else {
            throw VaultError(.secretWrong, "the machine secret is wrong (the machine may have been taken over by a re-registration); "
                + "register the machine again with a vault credentials file")
        }
        guard try mapping({ try row.get("state", as: String.self) }) == "registered" else {
            throw VaultError(.machineUnregistered, "this machine was unregistered from the vault; its recovery points remain. "
                + "Register it again (with takeOver) to continue")
        }
        return try mapping { AuthenticatedMachine(id: try row.get("id"), vaultId: try row.get("vault"), name: try row.get("name")) }
    }

    /// Unregisters the machine: its secret stops working; its objects and recovery points stay.
    public func unregister(machineId: String, actor: String = "machine") throws {
        try mapping {
            try database.write { transaction in
                guard let vault: String = try transaction.query("SELECT vault FROM machines WHERE id = ?", [.text(machineId)]).first?.get("vault") else {
                    throw VaultError(.notFound, "there is no machine \(machineId)")
                }
                try transaction.execute("UPDATE machines SET state = 'unregistered', secret_hash = ? WHERE id = ?",
                                        [.blob(SecureRandom.bytes(32)), .text(machineId)])
                try appendAudit(transaction, vault: vault, machine: machineId, actor: actor, event: "machine.unregistered",
                                detail: "machine unregistered; its recovery points and objects remain")
            }
        }
    }

    /// Every machine of a vault, by name.
    public func machines(vault: String) throws -> [MachineInfo] {
        try mapping {
            try database.query(Self.machineQuery + " WHERE m.vault = ? ORDER BY m.name", [.text(vault)]).map(Self.machineInfo)
        }
    }

    /// One machine; `notFound` when it does not exist or belongs to another vault than `vault` (when given).
    public func machine(_ id: String, inVault vault: String? = nil) throws -> MachineInfo {
        let machine = try mapping { try database.query(Self.machineQuery + " WHERE m.id = ?", [.text(id)]).first.map(Self.machineInfo) }
        guard let machine, vault == nil || machine.vaultId == vault else {
            throw VaultError(.notFound, "there is no machine \(id.prefix(32)) in this vault; list the vault's machines to find its id")
        }
        return machine
    }

    /// The backup items of a machine with their live recovery points, by kind and name.
    public func items(machine: String) throws -> [ItemInfo] {
        try mapping {
            try database.query("""
                SELECT i.kind, i.name, COUNT(p.object) AS points, MAX(p.time) AS last,
                  (SELECT q.size FROM recovery_points q WHERE q.item = i.id AND q.state = 'live' ORDER BY q.time DESC LIMIT 1) AS size
                FROM items i LEFT JOIN recovery_points p ON p.item = i.id AND p.state = 'live'
                WHERE i.machine = ? GROUP BY i.id ORDER BY i.kind, i.name
                """, [.text(machine)]).map { row in
                ItemInfo(kind: try row.get("kind"), name: try row.get("name"), recoveryPoints: try row.get("points"),
                         lastBackupAt: try row.get("last", as: Int64?.self).map(VaultTime.date),
                         size: try row.get("size", as: Int64?.self) ?? 0)
            }
        }
    }

    private static let machineQuery = """
        SELECT m.id, m.vault, m.name, m.hostname, m.state, m.registered_at, m.protection_stopped_at,
          (SELECT MAX(p.time) FROM recovery_points p WHERE p.machine = m.id) AS last,
          (SELECT COALESCE(SUM(o.size), 0) FROM objects o WHERE o.machine = m.id) AS bytes,
          (SELECT COUNT(*) FROM recovery_points p WHERE p.machine = m.id AND p.state = 'live') AS points
        FROM machines m
        """

    private static func machineInfo(_ row: Row) throws -> MachineInfo {
        MachineInfo(id: try row.get("id"), vaultId: try row.get("vault"), name: try row.get("name"),
                    hostname: try row.get("hostname"), state: MachineInfo.State(rawValue: try row.get("state")) ?? .unregistered,
                    registeredAt: VaultTime.date(try row.get("registered_at")),
                    lastBackupAt: try row.get("last", as: Int64?.self).map(VaultTime.date),
                    protectionStoppedAt: try row.get("protection_stopped_at", as: Int64?.self).map(VaultTime.date),
                    bytes: try row.get("bytes"), recoveryPoints: try row.get("points"))
    }
}
