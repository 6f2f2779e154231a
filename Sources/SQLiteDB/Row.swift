/// One result row, read by column name with typed getters.

/// A row returned by a query: column names and values, detached from the statement.
///
/// Column names are matched case-insensitively, as SQLite does.
public struct Row: Sendable, Hashable, CustomStringConvertible {
    /// The column names, in select order.
    public let columns: [String]
    /// The values, in select order.
    public let values: [SQLValue]

    init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The raw value of a column, or nil when the row has no such column.
    public subscript(_ column: String) -> SQLValue? {
        index(of: column).map { values[$0] }
    }

    /// The value of a column converted to `T`; use an Optional `T` for nullable columns.
    ///
    /// - Parameters:
    ///   - column: the column name (case-insensitive).
    ///   - type: the Swift type wanted, e.g. `Int.self` or `String?.self`.
    /// - Throws: `SQLiteError` with code `.typeMismatch` when the column is missing or its value does not convert.
    public func get<T: SQLValueConvertible>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let index = index(of: column) else {
            throw SQLiteError(
                code: .typeMismatch, resultCode: 0,
                message: "the row has no column \"\(column)\"; its columns are \(columns.joined(separator: ", "))")
        }
        guard let value = T(sqlValue: values[index]) else {
            throw SQLiteError(
                code: .typeMismatch, resultCode: 0,
                message: "column \"\(column)\" holds \(values[index]), which is not a \(T.self)")
        }
        return value
    }

    public var description: String {
        zip(columns, values).map { "\($0)=\($1)" }.joined(separator: ", ")
    }

    private func index(of column: String) -> Int? {
        if let exact = columns.firstIndex(of: column) { return exact }
        let lowered = column.lowercased()
        return columns.firstIndex { $0.lowercased() == lowered }
    }
}
