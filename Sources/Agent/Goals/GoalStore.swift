/// GoalStore keeps the machine's backup goal (one per machine, as MARS has one backup schedule per server) and
/// the items it produces, with what the scheduler needs to remember about each.
import Foundation
import SQLiteDB

public struct GoalStore: Sendable {
    let database: Database
    let clock: Clock

    public init(database: Database, clock: @escaping Clock) {
        self.database = database
        self.clock = clock
    }

    /// The goal and when it was last saved; nil when none was set yet.
    public func goal() throws -> (goal: BackupGoal, savedAt: Date)? {
        try database.read { db in
            guard let text: String = try db.query("SELECT value FROM settings WHERE name = 'goal'").first?.get("value"),
                  let savedText: String = try db.query("SELECT value FROM settings WHERE name = 'goal_saved_at'").first?.get("value"),
                  let saved = Double(savedText) else { return nil }
            do {
                return (try JSONDecoder().decode(BackupGoal.self, from: Data(text.utf8)), Date(timeIntervalSince1970: saved))
            } catch {
                throw GoalError(field: "goal", "the stored backup goal cannot be read (\(error)); set the schedule again in the portal")
            }
        }
    }

    /// Saves the goal and makes sure each of its items has a row; items the goal no longer names keep theirs
    /// (their recovery points stay in the vault) but are no longer scheduled.
    public func save(_ goal: BackupGoal) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(goal), as: UTF8.self)
        let now = clock().timeIntervalSince1970
        try database.write { db in
            try db.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('goal', ?)", [.text(text)])
            try db.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('goal_saved_at', ?)", [.text(String(now))])
            for item in goal.items {
                try db.execute(
                    "INSERT OR IGNORE INTO items (item_kind, item_name, created_at) VALUES (?, ?, ?)",
                    [.text(item.kind), .text(item.name), .real(now)])
            }
        }
    }

    /// The last scheduled instant run for an item, nil when it never ran on schedule.
    public func lastScheduled(kind: String, name: String) throws -> Date? {
        try database.read { db in
            try db.query("SELECT last_scheduled_at FROM items WHERE item_kind = ? AND item_name = ?", [.text(kind), .text(name)])
                .first?.get("last_scheduled_at", as: Double?.self).map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// Why the next backup of the item must read every file again, if it must.
    public func unoptimizedReason(kind: String, name: String) throws -> String? {
        try database.read { db in
            try db.query("SELECT unoptimized_reason FROM items WHERE item_kind = ? AND item_name = ?", [.text(kind), .text(name)])
                .first?.get("unoptimized_reason", as: String?.self)
        }
    }

    /// Clears the reason once an unoptimized backup of the item succeeded.
    public func clearUnoptimizedReason(kind: String, name: String) throws {
        try database.execute("UPDATE items SET unoptimized_reason = NULL WHERE item_kind = ? AND item_name = ?", [.text(kind), .text(name)])
    }
}
