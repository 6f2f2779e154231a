/// The handle a `read {}` or `write {}` closure uses to run SQL inside its transaction.

/// SQL access inside one transaction. Valid only during the closure it was passed to.
///
/// Deliberately not Sendable, so it cannot be handed to another thread or task; after the closure
/// returns every call throws `.misuse`.
public final class Transaction {
    private let connection: Connection
    private var isActive = true

    init(connection: Connection) {
        self.connection = connection
    }

    func end() { isActive = false }

    /// Runs SQL in this transaction.
    /// - Parameters:
    ///   - sql: the statement(s), with `?` placeholders; several only without arguments.
    ///   - arguments: one value per placeholder.
    public func execute(_ sql: String, _ arguments: [SQLValue] = []) throws {
        try checkActive()
        try connection.run(sql, arguments)
    }

    /// Runs a query in this transaction and returns all its rows.
    /// - Parameters:
    ///   - sql: one statement, with `?` placeholders.
    ///   - arguments: one value per placeholder.
    public func query(_ sql: String, _ arguments: [SQLValue] = []) throws -> [Row] {
        try checkActive()
        return try connection.run(sql, arguments)
    }

    /// The rowid of the last row inserted through this connection.
    public var lastInsertRowID: Int64 { connection.lastInsertRowID }

    /// How many rows the last INSERT, UPDATE or DELETE changed.
    public var changes: Int { connection.changes }

    private func checkActive() throws {
        guard isActive else {
            throw SQLiteError.misuse("a transaction handle was used after its read {} or write {} block returned")
        }
    }
}

@available(*, unavailable, message: "a Transaction belongs to the thread running its read {} or write {} block")
extension Transaction: Sendable {}
