import Foundation
import SQLiteDB

/// Vaults: creating them and listing them with their usage.
extension VaultService {
    /// Creates a vault named `name` (1–64 characters, no control characters, unique).
    @discardableResult
    public func createVault(name: String, actor: String = "portal") throws -> VaultInfo {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw VaultError(.invalidRequest, "a vault name must be 1 to 64 characters without control characters; got \(String(reflecting: name))")
        }
        return try mapping {
            try database.write { transaction in
                guard try transaction.query("SELECT 1 FROM vaults WHERE name = ?", [.text(name)]).isEmpty else {
                    throw VaultError(.alreadyExists, "a vault named \(String(reflecting: name)) already exists; choose another name")
                }
                let id = Self.newId()
                try transaction.execute("INSERT INTO vaults (id, name, created_at) VALUES (?, ?, ?)", [.text(id), .text(name), .integer(now)])
                try appendAudit(transaction, vault: id, actor: actor, event: "vault.created", detail: "vault \(name) created")
                return VaultInfo(id: id, name: name, createdAt: VaultTime.date(now), bytes: 0, machines: 0, recoveryPoints: 0)
            }
        }
    }

    /// Every vault with its usage, by name.
    public func vaults() throws -> [VaultInfo] {
        try mapping {
            try database.query("""
                SELECT v.id, v.name, v.created_at,
                  (SELECT COALESCE(SUM(o.size), 0) FROM objects o JOIN machines m ON m.id = o.machine WHERE m.vault = v.id) AS bytes,
                  (SELECT COUNT(*) FROM machines m WHERE m.vault = v.id AND m.state = 'registered') AS machines,
                  (SELECT COUNT(*) FROM recovery_points p JOIN machines m ON m.id = p.machine
                     WHERE m.vault = v.id AND p.state = 'live') AS points
                FROM vaults v ORDER BY v.name
                """).map { row in
                VaultInfo(id: try row.get("id"), name: try row.get("name"), createdAt: VaultTime.date(try row.get("created_at")),
                          bytes: try row.get("bytes"), machines: try row.get("machines"), recoveryPoints: try row.get("points"))
            }
        }
    }

    /// The vault with this id or name; `notFound` otherwise.
    public func vault(_ idOrName: String) throws -> VaultInfo {
        guard let vault = try vaults().first(where: { $0.id == idOrName || $0.name == idOrName }) else {
            throw VaultError(.notFound, "there is no vault \(String(reflecting: idOrName)); "
                + "create it first (`haven vault create NAME` or the vault portal)")
        }
        return vault
    }
}
