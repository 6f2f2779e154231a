/// Catalog is the agent's copy of this machine's recovery points and items: metadata listed by the vault, kept in
/// SQLite so the portal answers without a round trip, and rebuilt from the vault whenever it may be stale.
import Foundation
import SQLiteDB
import VaultProtocol

struct Catalog: Sendable {
    let database: Database
    let clock: Clock

    /// Replaces every recovery point with the vault's listing and makes sure each listed item has a row (an item the
    /// machine protected before its state was lost comes back with its points).
    func rebuild(from points: [RecoveryPointSummary], items: [ItemSummary]) throws {
        let now = clock().timeIntervalSince1970
        try database.write { db in
            try db.execute("DELETE FROM recovery_points")
            // The vault lists newest first; inserted oldest first, the row id breaks ties of time.
            for point in points.reversed() {
                try insert(point, db)
            }
            for item in items {
                try db.execute("INSERT OR IGNORE INTO items (item_kind, item_name, created_at) VALUES (?, ?, ?)",
                               [.text(item.kind), .text(item.name), .real(now)])
            }
        }
    }

    /// Replaces the points of one item with the vault's listing of it (after a backup: the new point, and the
    /// ones the vault's retention expired gone). The vault lists whole seconds; `made` gives the new point's exact
    /// time, so two backups within a second still sort right.
    func refresh(kind: String, name: String, from points: [RecoveryPointSummary], made: (id: String, time: Date)) throws {
        try database.write { db in
            try db.execute("DELETE FROM recovery_points WHERE item_kind = ? AND item_name = ?", [.text(kind), .text(name)])
            for point in points.reversed() where point.item.kind == kind && point.item.name == name { try insert(point, db) }
            try db.execute("UPDATE recovery_points SET time = ? WHERE id = ?", [.real(made.time.timeIntervalSince1970), .text(made.id)])
        }
    }

    private func insert(_ point: RecoveryPointSummary, _ db: Transaction) throws {
        try db.execute(
            "INSERT OR REPLACE INTO recovery_points (id, item_kind, item_name, time, size, retain_until) VALUES (?, ?, ?, ?, ?, ?)",
            [.text(point.id), .text(point.item.kind), .text(point.item.name),
             .real(Timestamp.parse(point.time)?.timeIntervalSince1970 ?? 0), .integer(point.size),
             point.retainUntil.flatMap(Timestamp.parse).map { .real($0.timeIntervalSince1970) } ?? .null])
    }

    /// Every point, newest first.
    func points() throws -> [RecoveryPointInfo] {
        try database.query("SELECT * FROM recovery_points ORDER BY time DESC, rowid DESC").map(Self.info)
    }

    /// The protected size: the newest point of each item.
    func protectedBytes() throws -> UInt64 {
        var seen: Set<String> = []
        var total: UInt64 = 0
        for point in try points() where seen.insert(point.itemKind + "\u{0}" + point.itemName).inserted {
            total += UInt64(max(point.size, 0))
        }
        return total
    }

    static func info(_ row: Row) throws -> RecoveryPointInfo {
        RecoveryPointInfo(
            id: try row.get("id"), itemKind: try row.get("item_kind"), itemName: try row.get("item_name"),
            time: Date(timeIntervalSince1970: try row.get("time")), size: try row.get("size"),
            retainUntil: try row.get("retain_until", as: Double?.self).map { Date(timeIntervalSince1970: $0) })
    }
}

/// RFC 3339 times as the vault and recovery points write them, with or without fractional seconds.
enum Timestamp {
    static func parse(_ text: String) -> Date? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        return ISO8601DateFormatter().date(from: text)
    }

    /// UTC with milliseconds, e.g. "2026-11-24T18:00:00.123Z".
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// UTC, whole seconds: what the vault accepts as a retain-until time.
    static func formatSeconds(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    /// Local "YYYY-MM-DD HH-MM", the stamp MARS puts on restored copies.
    static func copyStamp(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(p.year ?? 0)-\(two(p.month))-\(two(p.day)) \(two(p.hour))-\(two(p.minute))"
    }
}
