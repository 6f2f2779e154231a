/// WebStore owns the Web module's SQLite schema: sessions and the administrator account, as `web-…` migrations.
import SQLiteDB

/// The tables the portal plumbing keeps, in a database the portal provides.
///
/// The migrations are named `web-…` so they can share a file with the portal's own tables. SQLiteDB's
/// `Migrator` applies migrations in registration order and refuses a reordering, so a portal that
/// shares its database calls `registerMigrations(in:)` before registering its own, once, forever.
/// A portal with a database of its own for these tables calls `migrate(_:)`.
public enum WebStore {
    /// Appends the Web module's migrations to `migrator`.
    public static func registerMigrations(in migrator: inout Migrator) {
        migrator.register("web-1-sessions") { transaction in
            try transaction.execute("""
                CREATE TABLE web_sessions (
                    id_hash BLOB PRIMARY KEY,
                    csrf_token TEXT NOT NULL,
                    authenticated INTEGER NOT NULL,
                    created_at REAL NOT NULL,
                    last_seen_at REAL NOT NULL,
                    flash_kind TEXT,
                    flash_message TEXT
                ) WITHOUT ROWID
                """)
            try transaction.execute("CREATE INDEX web_sessions_last_seen ON web_sessions (last_seen_at)")
        }
        migrator.register("web-1-administrator") { transaction in
            try transaction.execute("""
                CREATE TABLE web_administrator (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    password_hash TEXT,
                    setup_token_hash BLOB,
                    updated_at REAL NOT NULL
                )
                """)
        }
    }

    /// Brings a database used only for these tables up to date.
    public static func migrate(_ database: Database) throws {
        var migrator = Migrator()
        registerMigrations(in: &migrator)
        try migrator.migrate(database)
    }
}
