import FileIO
import Foundation
import Glibc
import ObjectStore
import SQLiteDB

/// Objects: write-once uploads verified before they become visible, reads by any machine of the vault, paged
/// listings, and the few deletions a machine may make.
extension VaultService {
    /// An object opened for reading; the caller owns `descriptor` and must close it (or hand it to the HTTP server).
    public struct OpenObject: Sendable {
        public var descriptor: Int32
        public var size: Int
    }

    /// Stores an object of the caller's own machine. Returns true when it was stored, false when it already
    /// existed (nothing written). Needs an open lease of the caller for data, index, recovery-points and keys.
    @discardableResult
    public func putObject(caller: AuthenticatedMachine, machine: String, key: ObjectKey, bytes: [UInt8],
                          lease: String?) throws -> Bool {
        let target = try machineOfVault(machine, caller: caller)
        guard target.id == caller.id else {
            throw VaultError(.notOwner, "a machine may write only its own objects; \(machine) is another machine of the vault")
        }
        guard bytes.count <= configuration.maxObjectSize else {
            throw VaultError(.tooLarge, "the object has \(bytes.count) bytes; the vault accepts at most \(configuration.maxObjectSize)")
        }
        if [.data, .index, .recoveryPoints, .keys].contains(key.kind) {
            try checkLease(lease, machine: caller.id)
        }
        return try storeAndRecord(key, bytes, vault: caller.vaultId, machine: caller.id)
    }

    /// Writes an object into a machine's store and records it; true when it was new. Also how a seed's objects
    /// are imported.
    func storeAndRecord(_ key: ObjectKey, _ bytes: [UInt8], vault: String, machine: String) throws -> Bool {
        let store = try store(vault: vault, machine: machine)
        // Retried when garbage collection removed the file between the store's write and the database's record.
        while true {
            try mapping { try store.put(key, bytes) }
            let created: Bool? = try mapping {
                try database.write { transaction -> Bool? in
                    // Inside the write transaction GC cannot run: either it deleted the file before (retry) or
                    // it will see the fresh stored_at and spare the object.
                    guard FileIO.exists(store.path(for: key)) else { return nil }
                    let arguments: [SQLValue] = [.text(machine), .text(key.kind.rawValue), .text(key.name)]
                    let existed = try !transaction.query(
                        "SELECT 1 FROM objects WHERE machine = ? AND kind = ? AND name = ?", arguments).isEmpty
                    try transaction.execute("""
                        INSERT INTO objects (machine, kind, name, size, stored_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (machine, kind, name) DO UPDATE SET stored_at = excluded.stored_at
                        """, arguments + [.integer(Int64(bytes.count)), .integer(now)])
                    return !existed
                }
            }
            if let created { return created }
        }
    }

    /// Marks an object of the caller's own machine as just stored, so garbage collection spares it for as long as a
    /// fresh upload: what an agent asks for when it finds a pack already there and skips uploading it (resumption).
    /// Needs an open lease of the caller; `notFound` when the object is absent.
    public func touchObject(caller: AuthenticatedMachine, key: ObjectKey, lease: String) throws {
        try checkLease(lease, machine: caller.id)
        let changed = try mapping {
            try database.write { transaction -> Int in
                try transaction.execute(
                    "UPDATE objects SET stored_at = MAX(stored_at, ?) WHERE machine = ? AND kind = ? AND name = ?",
                    [.integer(now), .text(caller.id), .text(key.kind.rawValue), .text(key.name)])
                return transaction.changes
            }
        }
        guard changed == 1 else { throw VaultError(.notFound, "\(key) does not exist for machine \(caller.id)") }
    }

    /// Opens an object of a machine of the caller's vault; `notFound` when it is absent (or a soft-deleted point).
    public func openObject(caller: AuthenticatedMachine, machine: String, key: ObjectKey) throws -> OpenObject {
        let target = try machineOfVault(machine, caller: caller)
        let size = try visibleSize(key, machine: target.id)
        let path = try store(vault: target.vaultId, machine: target.id).path(for: key)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw VaultError(.notFound, "\(key) of machine \(machine) is recorded but its file cannot be opened: "
                + "\(SystemError.current("open", path: path)); run a check of the vault's storage")
        }
        return OpenObject(descriptor: descriptor, size: size)
    }

    /// The bytes of an object (or of `range` of it), with the rules of `openObject`.
    public func readObject(caller: AuthenticatedMachine, machine: String, key: ObjectKey, range: Range<Int>? = nil) throws -> [UInt8] {
        let target = try machineOfVault(machine, caller: caller)
        _ = try visibleSize(key, machine: target.id)
        let store = try store(vault: target.vaultId, machine: target.id)
        return try mapping { try range.map { try store.get(key, range: $0) } ?? store.get(key) }
    }

    /// The size of a visible object.
    public func objectSize(caller: AuthenticatedMachine, machine: String, key: ObjectKey) throws -> Int {
        try visibleSize(key, machine: try machineOfVault(machine, caller: caller).id)
    }

    /// One page of a machine's objects of `kind` in ascending name order, after `after`; `limit` 1...1000.
    /// `recovery-points` lists only committed, live points.
    public func listObjects(caller: AuthenticatedMachine, machine: String, kind: ObjectKind, after: String?, limit: Int = 1000) throws -> ObjectPage {
        let target = try machineOfVault(machine, caller: caller)
        guard (1...1000).contains(limit) else {
            throw VaultError(.invalidRequest, "limit must be 1 to 1000; got \(limit)")
        }
        let sql = kind == .recoveryPoints
            ? """
              SELECT o.name, o.size FROM objects o JOIN recovery_points p ON p.machine = o.machine AND p.object = o.name
              WHERE o.machine = ? AND o.kind = ? AND o.name > ? AND p.state = 'live' ORDER BY o.name LIMIT ?
              """
            : "SELECT name, size FROM objects WHERE machine = ? AND kind = ? AND name > ? ORDER BY name LIMIT ?"
        let rows = try mapping {
            try database.query(sql, [.text(target.id), .text(kind.rawValue), .text(after ?? ""), .integer(Int64(limit + 1))])
        }
        let objects = try mapping { try rows.prefix(limit).map { StoredObject(name: try $0.get("name"), size: try $0.get("size")) } }
        return ObjectPage(objects: objects, next: rows.count > limit ? objects.last?.name : nil)
    }

    /// Deletes an object: the caller's own `locks` freely, its own `keys` with a valid security PIN (changing
    /// the passphrase); anything else is `destroyForbidden`.
    public func deleteObject(caller: AuthenticatedMachine, machine: String, key: ObjectKey, pin: String?) throws {
        let target = try machineOfVault(machine, caller: caller)
        switch key.kind {
        case .locks, .keys:
            guard target.id == caller.id else {
                throw VaultError(.notOwner, "a machine may delete only its own \(key.kind.rawValue); \(machine) is another machine")
            }
            if key.kind == .keys {
                guard let pin else {
                    throw VaultError(.destroyForbidden, "deleting a key slot (changing the passphrase) needs a security PIN: "
                        + "generate one in the vault portal and send it in the Haven-Security-PIN header")
                }
                try usePIN(pin, vault: caller.vaultId, machine: caller.id, purpose: "delete key slot \(key.name.prefix(12))")
            }
            _ = try visibleSize(key, machine: caller.id)
            let store = try store(vault: caller.vaultId, machine: caller.id)
            try mapping {
                try database.write { transaction in
                    try transaction.execute("DELETE FROM objects WHERE machine = ? AND kind = ? AND name = ?",
                                            [.text(caller.id), .text(key.kind.rawValue), .text(key.name)])
                    if key.kind == .keys {
                        try appendAudit(transaction, vault: caller.vaultId, machine: caller.id, actor: "machine",
                                        event: "object.deleted", detail: "key slot \(key.name) deleted with a security PIN")
                    }
                    try store.delete(key)
                }
            }
        default:
            throw VaultError(.destroyForbidden, "a machine credential cannot delete \(key.kind.rawValue) objects: "
                + "recovery points leave only through the retention policy or stop-protection with a security PIN")
        }
    }

    /// The machine `id` if it belongs to the caller's vault.
    func machineOfVault(_ id: String, caller: AuthenticatedMachine) throws -> MachineInfo {
        if id == caller.id { return MachineInfo(id: id, vaultId: caller.vaultId, name: caller.name, hostname: "", state: .registered,
                                                registeredAt: Date(timeIntervalSince1970: 0), bytes: 0, recoveryPoints: 0) }
        return try machine(id, inVault: caller.vaultId)
    }

    private func visibleSize(_ key: ObjectKey, machine: String) throws -> Int {
        let row = try mapping {
            try database.query("""
                SELECT o.size, p.state FROM objects o
                LEFT JOIN recovery_points p ON o.kind = 'recovery-points' AND p.machine = o.machine AND p.object = o.name
                WHERE o.machine = ? AND o.kind = ? AND o.name = ?
                """, [.text(machine), .text(key.kind.rawValue), .text(key.name)]).first
        }
        guard let row, try mapping({ try row.get("state", as: String?.self) }) != "deleted" else {
            throw VaultError(.notFound, "machine \(machine) has no object \(key)")
        }
        return try mapping { try row.get("size") }
    }
}
