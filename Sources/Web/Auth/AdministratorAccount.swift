/// AdministratorAccount owns the portal's one administrator: the first-run setup token and the hashed password.
import Crypto
import Foundation
import SQLiteDB

/// The administrator's credentials in the `web_administrator` table (see `WebStore`).
///
/// Until a password is set, the account has a one-time setup token: the service prints it at start
/// (only its SHA-256 is stored), and whoever holds it opens /setup and chooses the password. Setting
/// the password erases the token. Thread-safe: every read and write goes through `Database`.
public final class AdministratorAccount: Sendable {
    /// The shortest password accepted.
    public static let minimumPasswordLength = 12

    private let database: Database
    private let hasher: PasswordHasher
    private let clock: WebClock

    public init(database: Database, hasher: PasswordHasher = PasswordHasher(), clock: @escaping WebClock) {
        self.database = database
        self.hasher = hasher
        self.clock = clock
    }

    /// True once a password has been set.
    public func hasPassword() throws -> Bool {
        try database.query("SELECT 1 FROM web_administrator WHERE id = 1 AND password_hash IS NOT NULL").count == 1
    }

    /// A fresh setup token to print when no password is set yet (replacing any earlier one), or nil once one is.
    ///
    /// Call it at every start: the token printed last is the only one that works.
    public func prepareSetup() throws -> String? {
        try database.write { transaction -> String? in
            let rows = try transaction.query("SELECT password_hash FROM web_administrator WHERE id = 1")
            if let row = rows.first, try row.get("password_hash", as: String?.self) != nil { return nil }
            let token = Hex.encode(SecureRandom.bytes(16))
            try transaction.execute("""
                INSERT INTO web_administrator (id, password_hash, setup_token_hash, updated_at) VALUES (1, NULL, ?, ?)
                ON CONFLICT (id) DO UPDATE SET setup_token_hash = excluded.setup_token_hash, updated_at = excluded.updated_at
                """, [.blob(SHA256.hash(Array(token.utf8))), .real(clock().timeIntervalSince1970)])
            return token
        }
    }

    /// Sets the first password if `token` is the current setup token; the token stops working.
    /// - Throws: `WebError` 403 when the token is wrong or already used; 400 when the password breaks the rules.
    public func completeSetup(token: String, password: String) throws -> Void {
        try Self.checkRules(password)
        let hash = try hasher.hash(password)
        try database.write { transaction in
            let rows = try transaction.query(
                "SELECT setup_token_hash FROM web_administrator WHERE id = 1 AND password_hash IS NULL")
            guard let stored = try rows.first?.get("setup_token_hash", as: [UInt8]?.self),
                  constantTimeEquals(SHA256.hash(Array(token.trimmingCharacters(in: " \t\r\n").utf8)), stored)
            else {
                throw WebError.forbidden(
                    "that setup token is not valid: use the one printed when the service last started")
            }
            try transaction.execute(
                "UPDATE web_administrator SET password_hash = ?, setup_token_hash = NULL, updated_at = ? WHERE id = 1",
                [.text(hash), .real(clock().timeIntervalSince1970)])
        }
    }

    /// True when `password` is the administrator's password.
    public func verify(password: String) throws -> Bool {
        let rows = try database.query("SELECT password_hash FROM web_administrator WHERE id = 1")
        guard let stored = try rows.first?.get("password_hash", as: String?.self) else { return false }
        return PasswordHasher.verify(password, against: stored)
    }

    /// Replaces the password after checking the current one.
    /// - Throws: `WebError` 403 when `current` is wrong; 400 when `new` breaks the rules.
    public func changePassword(current: String, new: String) throws {
        guard try verify(password: current) else { throw WebError.forbidden("the current password is wrong") }
        try Self.checkRules(new)
        try database.execute(
            "UPDATE web_administrator SET password_hash = ?, updated_at = ? WHERE id = 1",
            [.text(try hasher.hash(new)), .real(clock().timeIntervalSince1970)])
    }

    /// Forgets the password and returns a new setup token (for a command run on the host when it is lost).
    public func resetPassword() throws -> String {
        try database.execute("UPDATE web_administrator SET password_hash = NULL WHERE id = 1")
        guard let token = try prepareSetup() else {
            throw WebError(.internalError, "the password could not be reset")
        }
        return token
    }

    /// Throws 400 unless `password` has at least `minimumPasswordLength` characters.
    public static func checkRules(_ password: String) throws(WebError) {
        guard password.count >= minimumPasswordLength else {
            throw .badRequest("the password must have at least \(minimumPasswordLength) characters")
        }
    }
}
