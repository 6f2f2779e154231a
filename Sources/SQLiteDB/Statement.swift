/// A prepared SQLite statement: binding, stepping, reading columns, finalized when released.
internal import CSQLite

/// One prepared statement. It is finalized in `deinit`, so it never outlives its scope.
///
/// Not Sendable: it is only ever used by the thread that holds the database lock.
final class Statement {
    private let handle: OpaquePointer
    private let connection: Connection
    let sql: String

    /// Prepares the first statement of `sql` and returns it with the unparsed rest (nil when there is none).
    static func prepare(_ sql: String, on connection: Connection) throws -> (Statement?, String?) {
        var handle: OpaquePointer?
        var tail: String?
        let rc = sql.withCString { start -> Int32 in
            var end: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v2(connection.handle, start, -1, &handle, &end)
            if let end, end.pointee != 0 {
                let rest = String(cString: end)
                if !rest.allSatisfy({ $0.isWhitespace || $0 == ";" }) { tail = rest }
            }
            return rc
        }
        guard rc == SQLITE_OK else { throw connection.error(rc, sql: sql) }
        // A statement of only whitespace or a comment compiles to no statement at all.
        guard let handle else { return (nil, tail) }
        return (Statement(handle: handle, connection: connection, sql: sql), tail)
    }

    private init(handle: OpaquePointer, connection: Connection, sql: String) {
        self.handle = handle
        self.connection = connection
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds positional arguments; their count must match the statement's parameters.
    func bind(_ arguments: [SQLValue]) throws {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == arguments.count else {
            throw SQLiteError.misuse("statement expects \(expected) arguments, got \(arguments.count): \(sql)")
        }
        for (offset, value) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null:
                rc = sqlite3_bind_null(handle, index)
            case .integer(let int):
                rc = sqlite3_bind_int64(handle, index, int)
            case .real(let double):
                rc = sqlite3_bind_double(handle, index, double)
            case .text(let string):
                rc = sqlite3_bind_text(handle, index, string, -1, CSQLite_transient())
            case .blob(let bytes):
                rc = bytes.withUnsafeBytes { raw in
                    // A zero-length blob needs a non-NULL pointer, or SQLite stores NULL.
                    sqlite3_bind_blob64(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                                        sqlite3_uint64(raw.count), CSQLite_transient())
                }
            }
            guard rc == SQLITE_OK else { throw connection.error(rc, sql: sql) }
        }
    }

    /// Runs the statement to completion and returns every row.
    func rows() throws -> [Row] {
        let count = sqlite3_column_count(handle)
        let columns = (0..<count).map { String(cString: sqlite3_column_name(handle, $0)) }
        var rows: [Row] = []
        while try step() {
            rows.append(Row(columns: columns, values: (0..<count).map(value(at:))))
        }
        return rows
    }

    /// Advances one row; returns false when the statement is done.
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(rc, sql: sql)
        }
    }

    private func value(at index: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT:
            return .text(String(cString: sqlite3_column_text(handle, index)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, index))
            guard count > 0, let bytes = sqlite3_column_blob(handle, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default:
            return .null
        }
    }
}
