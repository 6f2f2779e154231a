/// SessionStore owns sessions in SQLite: creation with random ids, lookup with idle and absolute expiry, flash messages.
import Crypto
import Foundation
import SQLiteDB

/// Sessions kept in the `web_sessions` table (see `WebStore`).
///
/// Ids are 32 random bytes in hex; the table holds only their SHA-256, so a copy of the database does
/// not let anyone take over a live session. A session ends after `idleTimeout` without a request or
/// `lifetime` after it was created, whichever comes first; signing in always makes a new session.
/// Thread-safe: `Database` serializes every statement, and the class holds nothing else mutable.
public final class SessionStore: Sendable {
    private let database: Database
    private let clock: WebClock
    /// How long a session lives without a request.
    public let idleTimeout: Duration
    /// How long a session lives at most.
    public let lifetime: Duration

    public init(database: Database, idleTimeout: Duration = .seconds(30 * 60), lifetime: Duration = .seconds(12 * 3600),
                clock: @escaping WebClock) {
        self.database = database
        self.idleTimeout = idleTimeout
        self.lifetime = lifetime
        self.clock = clock
    }

    /// Starts a new session and removes every expired one.
    public func create(authenticated: Bool) throws -> Session {
        let now = clock()
        let session = Session(
            id: Hex.encode(SecureRandom.bytes(32)), csrfToken: Hex.encode(SecureRandom.bytes(32)),
            isAuthenticated: authenticated, createdAt: now, lastSeenAt: now)
        try database.write { transaction in
            try transaction.execute(
                "DELETE FROM web_sessions WHERE last_seen_at < ? OR created_at < ?",
                [.real(now.timeIntervalSince1970 - idleTimeout.seconds), .real(now.timeIntervalSince1970 - lifetime.seconds)])
            try transaction.execute(
                "INSERT INTO web_sessions (id_hash, csrf_token, authenticated, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
                [.blob(Self.hash(session.id)), .text(session.csrfToken), .init(authenticated),
                 .real(now.timeIntervalSince1970), .real(now.timeIntervalSince1970)])
        }
        return session
    }

    /// The live session with this id, marked as used now; nil when unknown or expired (an expired one is deleted).
    public func load(id: String) throws -> Session? {
        guard id.utf8.count == 64, Hex.decode(id) != nil else { return nil }
        let now = clock()
        let idHash = Self.hash(id)
        return try database.write { transaction -> Session? in
            guard let row = try transaction.query(
                "SELECT csrf_token, authenticated, created_at, last_seen_at FROM web_sessions WHERE id_hash = ?",
                [.blob(idHash)]).first
            else { return nil }
            let createdAt = Date(timeIntervalSince1970: try row.get("created_at", as: Double.self))
            let lastSeenAt = Date(timeIntervalSince1970: try row.get("last_seen_at", as: Double.self))
            guard now.timeIntervalSince(lastSeenAt) < idleTimeout.seconds,
                  now.timeIntervalSince(createdAt) < lifetime.seconds
            else {
                try transaction.execute("DELETE FROM web_sessions WHERE id_hash = ?", [.blob(idHash)])
                return nil
            }
            try transaction.execute(
                "UPDATE web_sessions SET last_seen_at = ? WHERE id_hash = ?", [.real(now.timeIntervalSince1970), .blob(idHash)])
            return Session(
                id: id, csrfToken: try row.get("csrf_token"), isAuthenticated: try row.get("authenticated"),
                createdAt: createdAt, lastSeenAt: now)
        }
    }

    /// Ends a session (sign out).
    public func delete(_ session: Session) throws {
        try database.execute("DELETE FROM web_sessions WHERE id_hash = ?", [.blob(Self.hash(session.id))])
    }

    /// Ends every session, e.g. after the password changed.
    public func deleteAll() throws {
        try database.execute("DELETE FROM web_sessions")
    }

    /// Keeps a message for the next page this session renders.
    public func setFlash(_ flash: Flash, in session: Session) throws {
        try database.execute(
            "UPDATE web_sessions SET flash_kind = ?, flash_message = ? WHERE id_hash = ?",
            [.text(flash.kind.rawValue), .text(flash.message), .blob(Self.hash(session.id))])
    }

    /// The pending message of this session, removed as it is read.
    public func takeFlash(from session: Session) throws -> Flash? {
        let idHash = Self.hash(session.id)
        return try database.write { transaction -> Flash? in
            guard let row = try transaction.query(
                "SELECT flash_kind, flash_message FROM web_sessions WHERE id_hash = ? AND flash_message IS NOT NULL",
                [.blob(idHash)]).first
            else { return nil }
            try transaction.execute(
                "UPDATE web_sessions SET flash_kind = NULL, flash_message = NULL WHERE id_hash = ?", [.blob(idHash)])
            let kind = Flash.Kind(rawValue: try row.get("flash_kind", as: String?.self) ?? "") ?? .info
            return Flash(kind, try row.get("flash_message"))
        }
    }

    static func hash(_ id: String) -> [UInt8] { SHA256.hash(Array(id.utf8)) }
}

extension Duration {
    /// The duration in seconds, with its fraction.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
