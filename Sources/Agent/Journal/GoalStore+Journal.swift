/// What the agent remembers per item for the change journal: the mark of its last backup and the directories that
/// held files with several links.
import Foundation
import SQLiteDB

extension GoalStore {
    public func journalMark(kind: String, name: String) throws -> ItemJournalMark? {
        guard let text = try database.query("SELECT journal_mark FROM items WHERE item_kind = ? AND item_name = ?",
                                            [.text(kind), .text(name)]).first?.get("journal_mark", as: String?.self) else { return nil }
        return try? JSONDecoder().decode(ItemJournalMark.self, from: Data(text.utf8))
    }

    public func setJournalMark(_ mark: ItemJournalMark, multiLinkDirectories: Set<String>?, kind: String, name: String) throws {
        let text = String(decoding: try JSONEncoder().encode(mark), as: UTF8.self)
        try database.write { db in
            try db.execute("INSERT OR IGNORE INTO items (item_kind, item_name, created_at) VALUES (?, ?, ?)",
                           [.text(kind), .text(name), .real(clock().timeIntervalSince1970)])
            try db.execute("UPDATE items SET journal_mark = ? WHERE item_kind = ? AND item_name = ?", [.text(text), .text(kind), .text(name)])
            if let multiLinkDirectories {
                let list = String(decoding: try JSONEncoder().encode(multiLinkDirectories.sorted()), as: UTF8.self)
                try db.execute("UPDATE items SET multilink_directories = ? WHERE item_kind = ? AND item_name = ?",
                               [.text(list), .text(kind), .text(name)])
            }
        }
    }

    public func multiLinkDirectories(kind: String, name: String) throws -> Set<String> {
        guard let text = try database.query("SELECT multilink_directories FROM items WHERE item_kind = ? AND item_name = ?",
                                            [.text(kind), .text(name)]).first?.get("multilink_directories", as: String.self) else { return [] }
        return Set((try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? [])
    }

    /// The oldest sequence any item's mark of `journal` still needs; changes at or before it can go.
    public func oldestJournalSequence(journal: String) throws -> Int64? {
        try database.query("SELECT journal_mark FROM items WHERE journal_mark IS NOT NULL").compactMap { row -> Int64? in
            guard let text: String = try row.get("journal_mark"),
                  let mark = try? JSONDecoder().decode(ItemJournalMark.self, from: Data(text.utf8)), mark.journalID == journal else { return nil }
            return mark.sequence
        }.min()
    }
}
