/// The one error type of SQLiteDB: SQLite's extended result code, its message and what to do about it.
internal import CSQLite

/// A failed SQLite operation.
///
/// `code` is a broad classification to switch on; `resultCode` is SQLite's extended result code
/// (the connection is opened with `SQLITE_OPEN_EXRESCODE`), so a UNIQUE violation (2067) is told
/// apart from a foreign-key violation (787) without parsing text.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// A broad classification of the failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A UNIQUE, PRIMARY KEY, FOREIGN KEY, NOT NULL or CHECK constraint refused the change.
        public static let constraint = Code("constraint")
        /// Another process held a lock for longer than the busy timeout.
        public static let busy = Code("busy")
        /// The disk (or the quota) is full.
        public static let diskFull = Code("diskFull")
        /// The file is damaged or is not an SQLite database.
        public static let corrupt = Code("corrupt")
        /// The file or its directory cannot be opened.
        public static let cannotOpen = Code("cannotOpen")
        /// The database is read-only (permissions or `read {}`).
        public static let readOnly = Code("readOnly")
        /// The operating system reported an I/O error.
        public static let ioError = Code("ioError")
        /// The SQL is wrong: syntax error, unknown table or column.
        public static let sql = Code("sql")
        /// The API was used the wrong way, e.g. the database used from inside its own transaction.
        public static let misuse = Code("misuse")
        /// A row has no such column, or its value has another type than the one asked for.
        public static let typeMismatch = Code("typeMismatch")
        /// Anything else; see `resultCode`.
        public static let other = Code("other")

        public var description: String { name }
    }

    /// Which constraint refused a change, from the extended result code.
    public enum Constraint: Sendable, Equatable {
        case unique, primaryKey, foreignKey, notNull, check, other
    }

    /// The broad classification.
    public let code: Code
    /// SQLite's extended result code (`SQLITE_MISUSE` for misuse detected by this wrapper).
    public let resultCode: Int32
    /// What happened and what to do, for people.
    public let message: String
    /// The statement that failed, when there was one.
    public let sql: String?

    /// The violated constraint, when `code` is `.constraint`.
    public var constraint: Constraint? {
        guard code == .constraint else { return nil }
        // sqlite3.h defines the extended codes as (SQLITE_CONSTRAINT | (n<<8)), which Swift does not import.
        switch resultCode >> 8 {
        case 8: return .unique
        case 6: return .primaryKey
        case 3: return .foreignKey
        case 5: return .notNull
        case 1: return .check
        default: return .other
        }
    }

    public var description: String {
        if let sql { return "\(message) (SQLite code \(resultCode), statement: \(sql))" }
        return "\(message) (SQLite code \(resultCode))"
    }

    init(code: Code, resultCode: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.resultCode = resultCode
        self.message = message
        self.sql = sql
    }

    /// Builds the error for a failed call: the one place SQLite result codes are mapped.
    init(resultCode: Int32, sqliteMessage: String, path: String, sql: String? = nil) {
        let primary = resultCode & 0xff
        let code: Code
        let message: String
        switch primary {
        case SQLITE_CONSTRAINT:
            code = .constraint
            message = "constraint failed: \(sqliteMessage)"
        case SQLITE_BUSY, SQLITE_LOCKED:
            code = .busy
            message = "database \(path) is locked by another process; retry later or stop the other process"
        case SQLITE_FULL:
            code = .diskFull
            message = "disk is full: cannot write to database \(path); free space on its file system and retry"
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            code = .corrupt
            message = "database \(path) is corrupt or is not an SQLite database (\(sqliteMessage)); "
                + "restore it from a backup or move it away to start afresh"
        case SQLITE_CANTOPEN:
            code = .cannotOpen
            message = "cannot open database \(path) (\(sqliteMessage)); check that its directory exists and is writable"
        case SQLITE_READONLY:
            code = .readOnly
            message = "database \(path) is read-only (\(sqliteMessage)); check the file's permissions"
        case SQLITE_IOERR:
            code = .ioError
            message = "I/O error on database \(path) (\(sqliteMessage)); check the disk"
        case SQLITE_ERROR:
            code = .sql
            message = "SQL error: \(sqliteMessage)"
        case SQLITE_MISUSE:
            code = .misuse
            message = "SQLite API misuse: \(sqliteMessage)"
        default:
            code = .other
            message = "SQLite error on \(path): \(sqliteMessage)"
        }
        self.init(code: code, resultCode: resultCode, message: message, sql: sql)
    }

    static func misuse(_ message: String) -> SQLiteError {
        SQLiteError(code: .misuse, resultCode: SQLITE_MISUSE, message: message)
    }
}
