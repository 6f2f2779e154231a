/// JobStore keeps jobs in the agent's database so they survive restarts, and moves them through the job state machine.
import Foundation
import SQLiteDB

/// Jobs in SQLite: enqueue, transitions, listing, and recovery after the agent restarts.
///
/// Every change runs in one write transaction: the state is read, the transition applied with
/// `JobStateMachine`, and the result stored, so two callers (the worker and a cancel from the portal)
/// never both act on a stale state.
public struct JobStore: Sendable {
    let database: Database
    let clock: Clock

    public init(database: Database, clock: @escaping Clock) {
        self.database = database
        self.clock = clock
    }

    /// Queues a job, unless a backup of the same item is already queued or running (one backup at a time per item).
    public func enqueue(_ kind: JobRecord.Kind, itemKind: String, itemName: String, trigger: JobRecord.Trigger,
                        parameters: String = "{}") throws -> JobRecord {
        try database.write { db in
            if kind == .backup, let busy = try db.query(
                "SELECT id, state FROM jobs WHERE kind = 'backup' AND item_kind = ? AND item_name = ? AND state IN ('queued', 'running', 'cancelling')",
                [.text(itemKind), .text(itemName)]).first {
                throw JobStoreError.busy(item: itemName, jobID: try busy.get("id"))
            }
            try db.execute(
                "INSERT INTO jobs (kind, item_kind, item_name, trigger, state, created_at, parameters) VALUES (?, ?, ?, ?, 'queued', ?, ?)",
                [.text(kind.rawValue), .text(itemKind), .text(itemName), .text(trigger.rawValue),
                 .real(clock().timeIntervalSince1970), .text(parameters)])
            return try Self.job(db.lastInsertRowID, in: db)
        }
    }

    /// Applies `event` to job `id` and stores the result; throws `JobTransitionError` when the event cannot apply.
    @discardableResult
    public func apply(_ event: JobEvent, to id: Int64) throws -> JobRecord {
        try database.write { db in try transition(id, event, in: db) }
    }

    /// Called once when the agent starts: every job the previous process left running is recorded as failed
    /// (or cancelled, if it was being cancelled), and its item's next backup is marked unoptimized.
    /// Returns the jobs that changed.
    public func recoverAfterRestart() throws -> [JobRecord] {
        try database.write { db in
            let stale = try db.query("SELECT id FROM jobs WHERE state IN ('running', 'cancelling') ORDER BY id")
            return try stale.map { try transition(try $0.get("id"), .agentRestarted, in: db) }
        }
    }

    /// The oldest queued job, which the worker runs next.
    public func nextQueued() throws -> JobRecord? {
        try database.read { db in
            try db.query("SELECT * FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1").first.map(Self.record)
        }
    }

    public func job(_ id: Int64) throws -> JobRecord {
        try database.read { db in try Self.job(id, in: db) }
    }

    /// The newest jobs first.
    public func recent(limit: Int = 50, offset: Int = 0) throws -> [JobRecord] {
        try database.read { db in
            try db.query("SELECT * FROM jobs ORDER BY id DESC LIMIT ? OFFSET ?", [.integer(Int64(limit)), .integer(Int64(offset))])
                .map(Self.record)
        }
    }

    func transition(_ id: Int64, _ event: JobEvent, in db: Transaction) throws -> JobRecord {
        let before = try Self.job(id, in: db)
        var machine = JobStateMachine(state: before.state)
        try machine.apply(event)
        let now = clock().timeIntervalSince1970
        let started: SQLValue = machine.state == .running && before.startedAt == nil ? .real(now) : before.startedAt.map { .real($0.timeIntervalSince1970) } ?? .null
        let finished: SQLValue = machine.state.isFinished ? .real(now) : .null
        try db.execute(
            "UPDATE jobs SET state = ?, started_at = ?, finished_at = ?, failure_reason = COALESCE(?, failure_reason) WHERE id = ?",
            [.text(machine.state.rawValue), started, finished, machine.failureReason.map(SQLValue.text) ?? .null, .integer(id)])
        if machine.nextBackupMustBeUnoptimized {
            try db.execute(
                "UPDATE items SET unoptimized_reason = ? WHERE item_kind = ? AND item_name = ?",
                [.text("the previous backup was interrupted when the agent stopped"), .text(before.itemKind), .text(before.itemName)])
        }
        return try Self.job(id, in: db)
    }

    static func job(_ id: Int64, in db: Transaction) throws -> JobRecord {
        guard let row = try db.query("SELECT * FROM jobs WHERE id = ?", [.integer(id)]).first else {
            throw JobStoreError.notFound(id)
        }
        return try record(row)
    }

    static func record(_ row: Row) throws -> JobRecord {
        func date(_ column: String) throws -> Date? {
            try row.get(column, as: Double?.self).map { Date(timeIntervalSince1970: $0) }
        }
        let stateText: String = try row.get("state")
        guard let state = JobState(rawValue: stateText),
              let kind = JobRecord.Kind(rawValue: try row.get("kind")),
              let trigger = JobRecord.Trigger(rawValue: try row.get("trigger")) else {
            throw JobStoreError.corrupt("job \(try row.get("id", as: Int64.self)) has an unknown state, kind or trigger")
        }
        return JobRecord(
            id: try row.get("id"), kind: kind, itemKind: try row.get("item_kind"), itemName: try row.get("item_name"),
            trigger: trigger, state: state, createdAt: try date("created_at") ?? Date(timeIntervalSince1970: 0),
            startedAt: try date("started_at"), finishedAt: try date("finished_at"),
            failureReason: try row.get("failure_reason"), parameters: try row.get("parameters"))
    }
}

/// Why the job store refused.
public enum JobStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A backup of the item is already queued or running.
    case busy(item: String, jobID: Int64)
    case notFound(Int64)
    case corrupt(String)

    public var description: String {
        switch self {
        case .busy(let item, let jobID):
            "a backup of \(item) is already queued or running (job \(jobID)); wait for it to finish or cancel it"
        case .notFound(let id): "there is no job \(id)"
        case .corrupt(let detail): "the agent's job table is damaged: \(detail)"
        }
    }
}
