import SQLiteDB

/// The vault's database schema as named, forward-only migrations; to change it, append a migration, never edit one.
///
/// Times are whole seconds since the epoch (UTC). Ids are 32 lowercase hex characters; secrets, registration
/// keys and PINs are stored only as hashes.
enum VaultSchema {
    static var migrator: Migrator {
        var migrator = Migrator()
        migrator.register("v1-vaults-credentials-machines", createIdentities)
        migrator.register("v1-objects-leases-recovery-points", createData)
        migrator.register("v1-policies-pins-audit-settings", createAdministration)
        migrator.register("v2-seeded-recovery-points") {
            // A point imported from an offline seed (docs/offline-seeding.md) rather than committed over the network.
            try $0.execute("ALTER TABLE recovery_points ADD COLUMN seeded INTEGER NOT NULL DEFAULT 0")
        }
        return migrator
    }

    private static func createIdentities(_ transaction: Transaction) throws {
        try transaction.execute("""
            CREATE TABLE vaults (
                id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
            CREATE TABLE credentials (
                key_hash BLOB PRIMARY KEY, vault TEXT NOT NULL REFERENCES vaults(id),
                issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
                uses_left INTEGER NOT NULL CHECK (uses_left >= 0), uses INTEGER NOT NULL);
            CREATE TABLE machines (
                id TEXT PRIMARY KEY, vault TEXT NOT NULL REFERENCES vaults(id), name TEXT NOT NULL,
                hostname TEXT NOT NULL, secret_hash BLOB NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('registered', 'unregistered')),
                registered_at INTEGER NOT NULL, protection_stopped_at INTEGER,
                UNIQUE (vault, name));
            """)
    }

    private static func createData(_ transaction: Transaction) throws {
        try transaction.execute("""
            CREATE TABLE objects (
                machine TEXT NOT NULL REFERENCES machines(id), kind TEXT NOT NULL, name TEXT NOT NULL,
                size INTEGER NOT NULL, stored_at INTEGER NOT NULL,
                PRIMARY KEY (machine, kind, name)) WITHOUT ROWID;
            CREATE TABLE items (
                id INTEGER PRIMARY KEY, machine TEXT NOT NULL REFERENCES machines(id),
                kind TEXT NOT NULL, name TEXT NOT NULL, UNIQUE (machine, kind, name));
            CREATE TABLE recovery_points (
                machine TEXT NOT NULL REFERENCES machines(id), object TEXT NOT NULL,
                item INTEGER NOT NULL REFERENCES items(id), time INTEGER NOT NULL, size INTEGER NOT NULL,
                retain_until INTEGER, committed_at INTEGER NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('live', 'deleted')), deleted_at INTEGER,
                held INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (machine, object));
            CREATE INDEX recovery_points_by_item ON recovery_points (item, state, time);
            CREATE TABLE point_references (
                machine TEXT NOT NULL, point TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
                PRIMARY KEY (machine, point, kind, name),
                FOREIGN KEY (machine, point) REFERENCES recovery_points(machine, object) ON DELETE CASCADE
            ) WITHOUT ROWID;
            CREATE INDEX point_references_by_object ON point_references (machine, kind, name);
            CREATE TABLE leases (
                id TEXT PRIMARY KEY, machine TEXT NOT NULL REFERENCES machines(id),
                started_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, released_at INTEGER);
            """)
    }

    private static func createAdministration(_ transaction: Transaction) throws {
        try transaction.execute("""
            CREATE TABLE policies (
                machine TEXT PRIMARY KEY REFERENCES machines(id), daily INTEGER NOT NULL, weekly INTEGER NOT NULL,
                monthly INTEGER NOT NULL, yearly INTEGER NOT NULL, updated_at INTEGER NOT NULL);
            CREATE TABLE pins (
                id INTEGER PRIMARY KEY, vault TEXT NOT NULL REFERENCES vaults(id), pin_hash BLOB NOT NULL,
                created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER);
            CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY, time INTEGER NOT NULL, vault TEXT, machine TEXT,
                actor TEXT NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL);
            CREATE INDEX audit_log_by_vault ON audit_log (vault, id);
            CREATE TABLE settings (name TEXT PRIMARY KEY, value BLOB NOT NULL);
            """)
    }
}
