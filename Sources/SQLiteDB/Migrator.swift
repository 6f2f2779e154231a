/// Named, forward-only schema migrations, each applied once in its own transaction and recorded in the database.

/// A list of named migrations applied in registration order.
///
/// Each migration runs in its own write transaction together with the row that records it, so a
/// crash leaves it either fully applied or not at all. Migrations are never undone or edited: to
/// change a schema, register a new one at the end. A database that records a migration this build
/// does not know (it was migrated by a newer version) is refused rather than touched.
public struct Migrator: Sendable {
    /// The table that records applied migrations.
    public static let tableName = "schema_migrations"

    private var migrations: [(name: String, migrate: @Sendable (Transaction) throws -> Void)] = []

    public init() {}

    /// Appends a migration. Names must be unique; registering one twice is a programming error.
    /// - Parameters:
    ///   - name: a stable identifier, e.g. "v1-create-jobs"; never rename one that has shipped.
    ///   - migrate: the schema change, run inside the migration's transaction.
    public mutating func register(_ name: String, _ migrate: @escaping @Sendable (Transaction) throws -> Void) {
        precondition(!migrations.contains { $0.name == name }, "migration \"\(name)\" is registered twice")
        migrations.append((name, migrate))
    }

    /// Applies every migration the database has not seen yet, in order.
    /// - Parameter database: the database to bring up to date.
    /// - Returns: the names applied by this call (empty when already up to date).
    /// - Throws: `MigrationError` when the recorded history does not match, or the migration's own error.
    @discardableResult
    public func migrate(_ database: Database) throws -> [String] {
        var applied: [String] = []
        // One migration per transaction, re-reading the history each time, so two processes migrating
        // the same file at once cannot both apply the same step.
        while let name = try database.write({ transaction in try applyNext(transaction) }) {
            applied.append(name)
        }
        return applied
    }

    /// The names of the migrations recorded in the database, in the order they were applied.
    /// - Parameter database: the database to read.
    public func appliedMigrations(in database: Database) throws -> [String] {
        try database.write { transaction in try history(transaction) }
    }

    private func applyNext(_ transaction: Transaction) throws -> String? {
        let recorded = try history(transaction)
        for (position, name) in recorded.enumerated() {
            guard migrations.contains(where: { $0.name == name }) else {
                throw MigrationError(
                    code: .unknownMigration,
                    message: "the database records migration \"\(name)\", which this version does not know; "
                        + "it was used by a newer version: upgrade, or restore a backup made by this version")
            }
            guard position < migrations.count, migrations[position].name == name else {
                throw MigrationError(
                    code: .orderMismatch,
                    message: "the database records migration \"\(name)\" at position \(position + 1), "
                        + "but this version registers it elsewhere; migrations must never be reordered")
            }
        }
        guard recorded.count < migrations.count else { return nil }
        let next = migrations[recorded.count]
        try next.migrate(transaction)
        try transaction.execute(
            "INSERT INTO \(Self.tableName) (position, name) VALUES (?, ?)", [SQLValue(recorded.count), .text(next.name)])
        return next.name
    }

    private func history(_ transaction: Transaction) throws -> [String] {
        try transaction.execute(
            "CREATE TABLE IF NOT EXISTS \(Self.tableName) (position INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
        return try transaction.query("SELECT name FROM \(Self.tableName) ORDER BY position").map {
            try $0.get("name", as: String.self)
        }
    }
}
