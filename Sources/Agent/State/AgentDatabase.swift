/// AgentDatabase opens the agent's SQLite file and brings its schema up to date with named, forward-only migrations.
import SQLiteDB

/// The agent's state: the backup goal and the settings (in `settings`), the goal's items, jobs with their reports, and
/// the catalog of this machine's recovery points (rebuilt from the vault at registration). A cache of what the vault holds plus the agent's own history;
/// deleting it loses job history, never backed-up data.
public enum AgentDatabase {
    /// Opens (creating if needed) and migrates the database at `path`.
    public static func open(path: String) throws -> Database {
        let database = try Database(path: path)
        _ = try migrator.migrate(database)
        return database
    }

    static var migrator: Migrator {
        var migrator = Migrator()
        migrator.register("agent-1-items-jobs") { db in
            try db.execute(
                """
                CREATE TABLE items (
                    id INTEGER PRIMARY KEY,
                    item_kind TEXT NOT NULL,
                    item_name TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    last_scheduled_at REAL,
                    unoptimized_reason TEXT,
                    UNIQUE (item_kind, item_name)
                );
                CREATE TABLE jobs (
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('backup', 'restore')),
                    item_kind TEXT NOT NULL,
                    item_name TEXT NOT NULL,
                    trigger TEXT NOT NULL CHECK (trigger IN ('scheduled', 'manual')),
                    state TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    started_at REAL,
                    finished_at REAL,
                    failure_reason TEXT,
                    parameters TEXT NOT NULL DEFAULT '{}',
                    report TEXT
                );
                CREATE INDEX jobs_by_state ON jobs (state);
                CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE recovery_points (
                    id TEXT PRIMARY KEY,
                    item_kind TEXT NOT NULL,
                    item_name TEXT NOT NULL,
                    time REAL NOT NULL,
                    size INTEGER NOT NULL,
                    retain_until REAL
                );
                CREATE INDEX recovery_points_by_item ON recovery_points (item_kind, item_name, time);
                """)
        }
        return migrator
    }
}
