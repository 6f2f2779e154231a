import Crypto
import Foundation
import SQLiteDB

/// Security PINs: 8 digits generated in the portal, valid a few minutes, stored keyed-hashed, good for one destructive operation.
extension VaultService {
    /// Generates a PIN for `vault`, valid `pinLifetimeSeconds`; it is shown once and stored only as a keyed hash.
    public func generatePIN(vault idOrName: String, actor: String = "portal") throws -> SecurityPIN {
        let vault = try vault(idOrName)
        var value: UInt64 = 0
        for byte in SecureRandom.bytes(8) { value = value << 8 | UInt64(byte) }
        let pin = String(format: "%08llu", value % 100_000_000)
        let expires = now + Int64(configuration.pinLifetimeSeconds)
        try mapping {
            try database.write { transaction in
                try transaction.execute("INSERT INTO pins (vault, pin_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
                                        [.text(vault.id), .blob(pinHash(pin, vault: vault.id)), .integer(now), .integer(expires)])
                try appendAudit(transaction, vault: vault.id, actor: actor, event: "pin.generated",
                                detail: "security PIN generated, valid until \(VaultTime.rfc3339(VaultTime.date(expires)))")
            }
        }
        return SecurityPIN(pin: pin, expiresAt: VaultTime.date(expires))
    }

    /// Uses up a PIN of `vault` for `purpose`: `pinInvalid` when no unused PIN matches, `pinExpired` when it is too old.
    func usePIN(_ pin: String, vault: String, machine: String?, purpose: String) throws {
        let hash = pinHash(pin, vault: vault)
        do { try consumePIN(hash, vault: vault, machine: machine, purpose: purpose) } catch let error as VaultError
            where error.code == .pinInvalid || error.code == .pinExpired {
            try? audit(vault: vault, machine: machine, actor: machine == nil ? "portal" : "machine", event: "pin.refused",
                       detail: "security PIN refused (\(error.code.rawValue)) trying to \(purpose)")
            throw error
        }
    }

    private func consumePIN(_ hash: [UInt8], vault: String, machine: String?, purpose: String) throws {
        try mapping {
            try database.write { transaction in
                let candidates = try transaction.query("SELECT id, pin_hash, expires_at FROM pins WHERE vault = ? AND used_at IS NULL", [.text(vault)])
                guard let match = try candidates.first(where: { constantTimeEquals(try $0.get("pin_hash"), hash) }) else {
                    throw VaultError(.pinInvalid, "the security PIN is wrong or was used already; generate a new one in the vault portal")
                }
                let expires: Int64 = try match.get("expires_at")
                guard now < expires else {
                    throw VaultError(.pinExpired, "the security PIN expired at \(VaultTime.human(VaultTime.date(expires))) "
                        + "(PINs are valid \(configuration.pinLifetimeSeconds / 60) minutes); generate a new one in the vault portal")
                }
                try transaction.execute("UPDATE pins SET used_at = ? WHERE id = ?", [.integer(now), match["id"] ?? .null])
                try appendAudit(transaction, vault: vault, machine: machine, actor: machine == nil ? "portal" : "machine",
                                event: "pin.used", detail: "security PIN used to \(purpose)")
            }
        }
    }

    /// Keyed with the vault's signing key so the stored hash of a 8-digit PIN cannot be reversed by trying all of them.
    private func pinHash(_ pin: String, vault: String) -> [UInt8] {
        signingKey.authenticate(Array("pin:\(vault):\(pin)".utf8))
    }
}
