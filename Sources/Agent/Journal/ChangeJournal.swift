/// ChangeJournal is the agent's change journal: while the agent runs it watches the protected filesystems with
/// fanotify and records, durably in SQLite, which directories changed, under a journal id and a sequence, so a
/// backup can list only those (optimized mode) and a gap is always detectable.
import Backup
import Foundation
import SQLiteDB
import Synchronization

/// Watches filesystems and keeps the changed directories in the agent's database.
///
/// A new journal id is drawn each time the journal starts, so changes made while the agent was not running are a
/// gap the mode rules see. Each recorded batch of changes gets the next sequence number; a directory is stored once
/// per journal with the last sequence it was recorded at, so the table holds at most one row per directory. Once
/// recorded, a directory's further changes are dropped by the kernel until the next `mark` (the watcher's ignore
/// marks), so its row is newer than every mark taken before any of its changes: the rows after an item's mark are
/// still every directory that changed since.
///
/// `@unchecked Sendable`: the watcher and the counters are used only under `lock`; the polling thread and the
/// callers (the worker, the portal) take it in turn.
public final class ChangeJournal: @unchecked Sendable {
    private let database: Database
    private let ignored: [String]
    private let lock = NSLock()
    private var watcher: FanotifyWatcher?
    private var unavailable: String?
    private var id: String?
    private var sequence: Int64 = 0
    private var overflows: [Int64] = []
    private let stopping = Atomic<Bool>(false)
    private var thread: Thread?

    /// - Parameter ignoring: directories whose changes are the agent's own (its state and cache folders).
    public init(database: Database, ignoring: [String] = []) {
        self.database = database
        self.ignored = ignoring.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// Starts watching the filesystems holding `paths` under a new journal id, and a thread that records changes.
    public func start(paths: [String]) {
        lock.lock()
        defer { lock.unlock() }
        guard id == nil, unavailable == nil else { return }
        do {
            watcher = try FanotifyWatcher()
        } catch {
            unavailable = error.description
            return
        }
        id = UUID().uuidString.lowercased()
        sequence = 0
        for path in paths { watchLocked(path) }
        let watcher = self.watcher!
        // Waits outside the lock and reads under it, then lets events gather for a moment: a busy filesystem must
        // not keep the lock from `watch` and `mark` (the portal's requests and the worker wait on them).
        let thread = Thread { [self] in
            while !stopping.load(ordering: .relaxed) {
                guard watcher.waitForEvents(timeoutMilliseconds: 250) else { continue }
                pollOnce(timeout: 0)
                usleep(50_000)
            }
        }
        thread.name = "haven-journal"
        self.thread = thread
        thread.start()
    }

    /// Adds the filesystems of new sources (a goal was saved).
    public func watch(paths: [String]) {
        lock.lock()
        defer { lock.unlock() }
        for path in paths { watchLocked(path) }
    }

    public func stop() {
        stopping.store(true, ordering: .relaxed)
        while let thread, !thread.isFinished { usleep(10_000) }
    }

    /// The journal's state for the mode rules.
    public func status() -> JournalStatus {
        lock.lock()
        defer { lock.unlock() }
        if let unavailable { return .unavailable(reason: unavailable) }
        guard let id else { return .unavailable(reason: "the change journal is not running") }
        return .running(id: id, sequence: sequence, overflows: overflows)
    }

    /// Records every change queued so far and returns where the journal stands: what a backup starting now marks.
    /// The watcher's ignore marks go in the same step, under the lock (see `FanotifyWatcher.pollForMark`): a poll
    /// between the two would mark a directory at this sequence and hide its next change from the next backup.
    public func mark() -> (id: String?, sequence: Int64) {
        lock.lock()
        defer { lock.unlock() }
        recordLocked(timeout: 0, forMark: true)
        return (id, sequence)
    }

    /// The directories recorded after `since` in the running journal.
    public func changedDirectories(since: Int64) throws -> Set<String> {
        lock.lock()
        let current = id
        lock.unlock()
        guard let current else { return [] }
        let rows = try database.query("SELECT directory FROM journal_changes WHERE journal_id = ? AND sequence > ?",
                                      [.text(current), .integer(since)])
        return Set(try rows.map { try $0.get("directory", as: String.self) })
    }

    /// How many directories were recorded after `since` in the running journal (what `changedDirectories` would list).
    public func changedDirectoryCount(since: Int64) throws -> Int {
        lock.lock()
        let current = id
        lock.unlock()
        guard let current else { return 0 }
        let rows = try database.query("SELECT COUNT(*) AS count FROM journal_changes WHERE journal_id = ? AND sequence > ?",
                                      [.text(current), .integer(since)])
        return Int(try rows.first?.get("count", as: Int64.self) ?? 0)
    }

    /// Forgets what no item needs: other journals' rows, and rows at or before the oldest mark still in use.
    public func prune(keepingAfter oldest: Int64) throws {
        lock.lock()
        let current = id ?? ""
        lock.unlock()
        try database.write { db in
            try db.execute("DELETE FROM journal_changes WHERE journal_id != ? OR sequence <= ?", [.text(current), .integer(oldest)])
            try db.execute("DELETE FROM journal_overflows WHERE journal_id != ?", [.text(current)])
        }
    }

    private func watchLocked(_ path: String) {
        guard let watcher else { return }
        do { try watcher.watch(filesystemAt: path) } catch {
            FileHandle.standardError.write(Data("haven agent: the change journal cannot watch \(path): \(error)\n".utf8))
        }
    }

    private func pollOnce(timeout: Int32) {
        lock.lock()
        defer { lock.unlock() }
        recordLocked(timeout: timeout, forMark: false)
    }

    private func recordLocked(timeout: Int32, forMark: Bool) {
        guard let watcher, let id else { return }
        let changes = forMark ? watcher.pollForMark(timeoutMilliseconds: timeout) : watcher.poll(timeoutMilliseconds: timeout)
        let directories = changes.directories.filter { directory in
            !ignored.contains { FanotifyWatcher.isWithin(directory, $0) }
        }
        guard !directories.isEmpty || changes.overflowed else { return }
        let next = sequence + 1
        do {
            try database.write { db in
                for directory in directories {
                    try db.execute("""
                        INSERT INTO journal_changes (journal_id, directory, sequence) VALUES (?, ?, ?)
                        ON CONFLICT (journal_id, directory) DO UPDATE SET sequence = excluded.sequence
                        """, [.text(id), .text(directory), .integer(next)])
                }
                if changes.overflowed {
                    try db.execute("INSERT INTO journal_overflows (journal_id, sequence) VALUES (?, ?)", [.text(id), .integer(next)])
                }
            }
        } catch {
            // A change that cannot be recorded is a gap: say so, so the next backups list everything.
            overflows.append(next)
        }
        sequence = next
        if changes.overflowed { overflows.append(next) }
    }
}
