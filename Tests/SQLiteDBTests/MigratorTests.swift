/// Migrator: named forward-only migrations, each applied once, in order, refusing unknown history.
import SQLiteDB
import Testing

@Suite("Migrator")
struct MigratorTests {
    let directory = TemporaryDirectory()

    func migrator(_ names: [String]) -> Migrator {
        var migrator = Migrator()
        for name in names {
            migrator.register(name) { transaction in
                try transaction.execute("CREATE TABLE IF NOT EXISTS log (name TEXT)")
                try transaction.execute("INSERT INTO log (name) VALUES (?)", [.text(name)])
            }
        }
        return migrator
    }

    func log(_ database: Database) throws -> [String] {
        try database.query("SELECT name FROM log ORDER BY rowid").map { try $0.get("name") }
    }

    @Test("migrations run once each, in registration order")
    func runOnceInOrder() throws {
        let database = try Database(path: directory.file("m.sqlite"))
        #expect(try migrator(["v1", "v2", "v3"]).migrate(database) == ["v1", "v2", "v3"])
        #expect(try migrator(["v1", "v2", "v3"]).migrate(database) == [])
        #expect(try migrator(["v1", "v2", "v3", "v4"]).migrate(database) == ["v4"])
        #expect(try log(database) == ["v1", "v2", "v3", "v4"])
        #expect(try Migrator().appliedMigrations(in: database) == ["v1", "v2", "v3", "v4"])
    }

    @Test("a database migrated by a newer version is refused and left untouched")
    func unknownNewerMigration() throws {
        let database = try Database(path: directory.file("m.sqlite"))
        try migrator(["v1", "v2", "v3"]).migrate(database)
        let error = try #require(throws: MigrationError.self) { try migrator(["v1", "v2"]).migrate(database) }
        #expect(error.code == .unknownMigration)
        #expect(error.message.contains("v3"))
        #expect(try log(database) == ["v1", "v2", "v3"])
    }

    @Test("reordered migrations are refused")
    func reordered() throws {
        let database = try Database(path: directory.file("m.sqlite"))
        try migrator(["v1", "v2"]).migrate(database)
        let error = try #require(throws: MigrationError.self) { try migrator(["v2", "v1", "v3"]).migrate(database) }
        #expect(error.code == .orderMismatch)
        #expect(try log(database) == ["v1", "v2"])
    }

    @Test("a failing migration is rolled back, not recorded, and the earlier ones stay")
    func failingMigration() throws {
        let database = try Database(path: directory.file("m.sqlite"))
        var failing = migrator(["v1"])
        failing.register("v2") { transaction in
            try transaction.execute("CREATE TABLE half (x INTEGER)")
            try transaction.execute("INSERT INTO missing_table VALUES (1)")
        }
        #expect(throws: SQLiteError.self) { try failing.migrate(database) }
        #expect(try Migrator().appliedMigrations(in: database) == ["v1"])
        #expect(try database.query("SELECT name FROM sqlite_master WHERE name = 'half'").isEmpty)
    }
}
