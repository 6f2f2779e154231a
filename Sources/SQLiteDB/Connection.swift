/// The raw SQLite connection: opening, configuring, running SQL and mapping result codes.
internal import CSQLite

/// Owns one `sqlite3*`. Not Sendable: `Database` serializes every use behind its lock.
final class Connection {
    let handle: OpaquePointer
    let path: String

    init(path: String, busyTimeout: Int32) throws {
        var handle: OpaquePointer?
        // NOMUTEX: Database serializes access itself, so SQLite's own mutex would only cost time.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw SQLiteError(resultCode: rc, sqliteMessage: message, path: path)
        }
        self.handle = handle
        self.path = path
        do {
            try configure(busyTimeout: busyTimeout)
        } catch {
            sqlite3_close_v2(handle)
            throw error
        }
    }

    deinit {
        // close_v2 defers the close until every statement is finalized, so a leaked Row never crashes.
        sqlite3_close_v2(handle)
    }

    private func configure(busyTimeout: Int32) throws {
        // Double-quoted strings as identifiers only: "name" that is not a column is an error, not a string.
        try check(CSQLite_db_config_int(handle, SQLITE_DBCONFIG_DQS_DML, 0))
        try check(CSQLite_db_config_int(handle, SQLITE_DBCONFIG_DQS_DDL, 0))
        try check(sqlite3_busy_timeout(handle, busyTimeout))
        // The first statement reads the header, so a damaged or foreign file fails here, at open.
        let mode = try run("PRAGMA journal_mode = WAL").first?.values.first
        guard mode == .text("wal") || path == ":memory:" || path.isEmpty else {
            throw SQLiteError(
                code: .cannotOpen, resultCode: SQLITE_CANTOPEN,
                message: "database \(path) cannot use write-ahead logging (journal mode \(String(describing: mode))); "
                    + "put it on a local file system")
        }
        try run("PRAGMA foreign_keys = ON")
        try run("PRAGMA synchronous = NORMAL")
    }

    /// Runs one or more `;`-separated statements; arguments are allowed only with a single statement.
    @discardableResult
    func run(_ sql: String, _ arguments: [SQLValue] = []) throws -> [Row] {
        var remaining: String? = sql
        var rows: [Row] = []
        var first = true
        while let current = remaining {
            let (statement, tail) = try Statement.prepare(current, on: self)
            if first, tail != nil, !arguments.isEmpty {
                throw SQLiteError.misuse("arguments can only be bound to a single statement: \(sql)")
            }
            if let statement {
                try statement.bind(first ? arguments : [])
                rows = try statement.rows()
            }
            first = false
            remaining = tail
        }
        return rows
    }

    var changes: Int { Int(sqlite3_changes64(handle)) }
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    func check(_ rc: Int32, sql: String? = nil) throws {
        guard rc == SQLITE_OK else { throw error(rc, sql: sql) }
    }

    func error(_ rc: Int32, sql: String?) -> SQLiteError {
        // With SQLITE_OPEN_EXRESCODE calls return extended codes; a few (bind, config) return primary
        // ones, for which the connection's last extended code is used when it agrees.
        let last = sqlite3_extended_errcode(handle)
        let extended = rc > 0xff || last & 0xff != rc ? rc : last
        return SQLiteError(
            resultCode: extended, sqliteMessage: String(cString: sqlite3_errmsg(handle)), path: path, sql: sql)
    }
}
