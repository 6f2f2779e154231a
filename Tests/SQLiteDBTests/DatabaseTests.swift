/// Database: CRUD, typed rows, explicit transactions, errors and concurrent use, on real files.
import Foundation
import SQLiteDB
import Testing

struct Failure: Error {}

@Suite("Database")
struct DatabaseTests {
    let directory = TemporaryDirectory()

    func openDatabase(_ name: String = "test.sqlite") throws -> Database {
        let database = try Database(path: directory.file(name))
        try database.execute(
            """
            CREATE TABLE jobs (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, size REAL, payload BLOB);
            CREATE TABLE runs (id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL REFERENCES jobs(id));
            """)
        return database
    }

    @Test("inserts, reads back with typed getters, updates and deletes rows")
    func crud() throws {
        let database = try openDatabase()
        try database.execute("INSERT INTO jobs (name, size, payload) VALUES (?, ?, ?)", ["home", 1.5, .blob([0, 1, 255])])
        try database.execute("INSERT INTO jobs (name, size, payload) VALUES (?, ?, ?)", ["etc", nil, .blob([])])

        let rows = try database.query("SELECT id, name, size, payload FROM jobs ORDER BY id")
        #expect(rows.count == 2)
        #expect(try rows[0].get("id", as: Int.self) == 1)
        #expect(try rows[0].get("NAME", as: String.self) == "home")
        #expect(try rows[0].get("size", as: Double.self) == 1.5)
        #expect(try rows[0].get("payload", as: [UInt8].self) == [0, 1, 255])
        #expect(try rows[1].get("size", as: Double?.self) == nil)
        #expect(try rows[1].get("payload", as: [UInt8].self) == [])

        try database.execute("UPDATE jobs SET size = ? WHERE name = ?", [2.0, "etc"])
        try database.execute("DELETE FROM jobs WHERE name = ?", ["home"])
        let left = try database.query("SELECT name, size FROM jobs")
        #expect(left.map { $0["name"] } == [.text("etc")])
        #expect(left.first?["size"] == .real(2.0))
    }

    @Test("a getter for a missing column or the wrong type throws typeMismatch")
    func typeMismatch() throws {
        let database = try openDatabase()
        let row = try #require(try database.query("SELECT 'x' AS name").first)
        #expect(throws: SQLiteError.self) { try row.get("name", as: Int.self) }
        let error = try #require(throws: SQLiteError.self) { try row.get("nope", as: String.self) }
        #expect(error.code == .typeMismatch)
        #expect(error.message.contains("nope"))
    }

    @Test("a write transaction commits its changes and returns the body's value")
    func writeCommits() throws {
        let database = try openDatabase()
        let id = try database.write { transaction in
            try transaction.execute("INSERT INTO jobs (name) VALUES (?)", ["a"])
            return transaction.lastInsertRowID
        }
        #expect(id == 1)
        #expect(try database.query("SELECT count(*) AS n FROM jobs")[0].get("n", as: Int.self) == 1)
    }

    @Test("a write transaction rolls back everything when its body throws")
    func writeRollsBack() throws {
        let database = try openDatabase()
        #expect(throws: Failure.self) {
            try database.write { transaction in
                try transaction.execute("INSERT INTO jobs (name) VALUES (?)", ["a"])
                try transaction.execute("INSERT INTO jobs (name) VALUES (?)", ["b"])
                throw Failure()
            }
        }
        #expect(try database.query("SELECT count(*) AS n FROM jobs")[0].get("n", as: Int.self) == 0)
        // The connection is usable afterwards: no transaction was left open.
        try database.execute("INSERT INTO jobs (name) VALUES (?)", ["c"])
    }

    @Test("a read transaction refuses writes")
    func readIsReadOnly() throws {
        let database = try openDatabase()
        let error = try #require(throws: SQLiteError.self) {
            try database.read { transaction in try transaction.execute("INSERT INTO jobs (name) VALUES ('x')") }
        }
        #expect(error.code == .readOnly)
        try database.execute("INSERT INTO jobs (name) VALUES ('y')")
        #expect(try database.read { try $0.query("SELECT name FROM jobs") }.count == 1)
    }

    @Test("using the database from inside its own transaction is misuse, not a deadlock")
    func reentrancy() throws {
        let database = try openDatabase()
        let error = try #require(throws: SQLiteError.self) {
            try database.write { _ in try database.execute("INSERT INTO jobs (name) VALUES ('x')") }
        }
        #expect(error.code == .misuse)
    }

    @Test("constraint violations carry the extended code of the constraint")
    func constraints() throws {
        let database = try openDatabase()
        try database.execute("INSERT INTO jobs (name) VALUES ('a')")

        let unique = try #require(throws: SQLiteError.self) {
            try database.execute("INSERT INTO jobs (name) VALUES ('a')")
        }
        #expect(unique.code == .constraint)
        #expect(unique.constraint == .unique)
        #expect(unique.resultCode == 2067)

        let foreignKey = try #require(throws: SQLiteError.self) {
            try database.execute("INSERT INTO runs (job_id) VALUES (42)")
        }
        #expect(foreignKey.constraint == .foreignKey)

        let notNull = try #require(throws: SQLiteError.self) {
            try database.execute("INSERT INTO jobs (name) VALUES (NULL)")
        }
        #expect(notNull.constraint == .notNull)
    }

    @Test("double-quoted strings are identifiers only, and the file is in WAL mode")
    func connectionSettings() throws {
        let database = try openDatabase()
        let error = try #require(throws: SQLiteError.self) { try database.query("SELECT \"not a column\"") }
        #expect(error.code == .sql)
        #expect(try database.query("PRAGMA journal_mode")[0].values == [.text("wal")])
        #expect(try database.query("PRAGMA foreign_keys")[0].values == [.integer(1)])
    }

    @Test("a full database reports 'disk is full'")
    func diskFull() throws {
        let database = try openDatabase()
        try database.execute("PRAGMA max_page_count = 20")
        let error = try #require(throws: SQLiteError.self) {
            try database.write { transaction in
                for index in 0..<100 {
                    try transaction.execute(
                        "INSERT INTO jobs (name, payload) VALUES (?, ?)", [SQLValue(index), .blob(Array(repeating: 7, count: 4000))])
                }
            }
        }
        #expect(error.code == .diskFull)
        #expect(error.message.hasPrefix("disk is full"))
        #expect(try database.query("SELECT count(*) AS n FROM jobs")[0].get("n", as: Int.self) == 0)
    }

    @Test("a file that is not a database fails at open with a clear message")
    func corruptFile() throws {
        let path = directory.file("garbage.sqlite")
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: SQLiteError.self) { try Database(path: path) }
        #expect(error.code == .corrupt)
        #expect(error.message.contains(path))
        #expect(error.message.contains("restore"))
    }

    @Test("a database in a missing directory cannot be opened")
    func cannotOpen() throws {
        let error = try #require(throws: SQLiteError.self) { try Database(path: directory.file("no/such/dir.sqlite")) }
        #expect(error.code == .cannotOpen)
    }

    @Test("a lock held by another connection for longer than the busy timeout gives busy")
    func busy() throws {
        let path = directory.file("shared.sqlite")
        let first = try Database(path: path)
        try first.execute("CREATE TABLE t (x INTEGER)")
        let second = try Database(path: path, configuration: .init(busyTimeout: .milliseconds(100)))
        let error = try #require(throws: SQLiteError.self) {
            try first.write { _ in try second.execute("INSERT INTO t VALUES (1)") }
        }
        #expect(error.code == .busy)
    }

    @Test("many threads writing and reading at once lose nothing")
    func concurrentUse() throws {
        let database = try openDatabase()
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in 0..<100 {
                do {
                    try database.write { transaction in
                        try transaction.execute("INSERT INTO jobs (name) VALUES (?)", [.text("\(thread)-\(index)")])
                    }
                    _ = try database.query("SELECT count(*) FROM jobs")
                } catch {
                    failures.increment()
                }
            }
        }
        #expect(failures.value == 0)
        #expect(try database.query("SELECT count(*) AS n FROM jobs")[0].get("n", as: Int.self) == 800)
    }
}

/// A thread-safe counter for the concurrency test.
final class Counter: @unchecked Sendable {
    // @unchecked: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
