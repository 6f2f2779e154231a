/// SQLiteDB owns SQLite: one serialized connection, explicit transactions and named forward-only migrations.
internal import CSQLite

/// A database file with one connection, opened in WAL mode with foreign keys on.
///
/// `@unchecked Sendable` is safe because the class has one connection and every use of it —
/// `execute`, `query`, `read`, `write` — runs while holding `lock`, so SQLite never sees two threads
/// at once (the connection is opened `SQLITE_OPEN_NOMUTEX` for that reason). Rows are copied out
/// before the lock is released. Calling the database from inside its own `read`/`write` closure
/// throws `SQLiteError` with code `.misuse` rather than deadlocking; use the `Transaction` handle.
public final class Database: @unchecked Sendable {
    /// How a database is opened.
    public struct Configuration: Sendable {
        /// How long to wait for another process's lock before failing with `.busy`.
        public var busyTimeout: Duration

        /// - Parameters:
        ///   - busyTimeout: how long to wait on another process's lock; 5 seconds by default.
        public init(busyTimeout: Duration = .seconds(5)) {
            self.busyTimeout = busyTimeout
        }
    }

    /// The file path (or `:memory:`).
    public let path: String
    private let connection: Connection
    private let lock = Lock()

    /// Opens (or creates) a database.
    ///
    /// Opening reads the file header, so a damaged file or one that is not a database fails here with
    /// code `.corrupt`. The connection uses WAL, `foreign_keys = ON`, `synchronous = NORMAL`, extended
    /// result codes, and rejects double-quoted string literals.
    /// - Parameters:
    ///   - path: the database file; `:memory:` for a private in-memory database.
    ///   - configuration: busy timeout and other settings.
    public init(path: String, configuration: Configuration = Configuration()) throws {
        let milliseconds = configuration.busyTimeout.components.seconds * 1000
            + configuration.busyTimeout.components.attoseconds / 1_000_000_000_000_000
        self.path = path
        self.connection = try Connection(path: path, busyTimeout: Int32(clamping: milliseconds))
    }

    /// Runs SQL outside an explicit transaction (each statement commits on its own).
    ///
    /// Several `;`-separated statements are allowed when there are no arguments.
    /// - Parameters:
    ///   - sql: the statement(s), with `?` placeholders.
    ///   - arguments: one value per placeholder.
    public func execute(_ sql: String, _ arguments: [SQLValue] = []) throws {
        try lock.withLock { _ = try connection.run(sql, arguments) }
    }

    /// Runs a query outside an explicit transaction and returns all its rows.
    /// - Parameters:
    ///   - sql: one statement, with `?` placeholders.
    ///   - arguments: one value per placeholder.
    public func query(_ sql: String, _ arguments: [SQLValue] = []) throws -> [Row] {
        try lock.withLock { try connection.run(sql, arguments) }
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`): committed when it returns,
    /// rolled back when it throws.
    ///
    /// IMMEDIATE takes the write lock up front, so two processes never both read and then fail to
    /// upgrade to writing (which busy_timeout cannot resolve).
    /// - Parameter body: the work; use only the given `Transaction`, never `self`.
    /// - Returns: what `body` returns.
    @discardableResult
    public func write<T>(_ body: (Transaction) throws -> T) throws -> T {
        try lock.withLock { try transaction(begin: "BEGIN IMMEDIATE", readOnly: false, body) }
    }

    /// Runs `body` in a read-only transaction: a consistent snapshot; any write in it fails with `.readOnly`.
    /// - Parameter body: the work; use only the given `Transaction`, never `self`.
    /// - Returns: what `body` returns.
    public func read<T>(_ body: (Transaction) throws -> T) throws -> T {
        try lock.withLock {
            try connection.run("PRAGMA query_only = 1")
            defer { _ = try? connection.run("PRAGMA query_only = 0") }
            return try transaction(begin: "BEGIN DEFERRED", readOnly: true, body)
        }
    }

    private func transaction<T>(begin: String, readOnly: Bool, _ body: (Transaction) throws -> T) throws -> T {
        try connection.run(begin)
        let transaction = Transaction(connection: connection)
        defer { transaction.end() }
        do {
            let result = try body(transaction)
            try connection.run("COMMIT")
            return result
        } catch {
            // SQLite may already have rolled back (e.g. after SQLITE_FULL); only roll back what is open.
            if !connection.isAutocommit { _ = try? connection.run("ROLLBACK") }
            throw error
        }
    }
}
