/// Scheduler turns the backup goal's schedule into queued backup jobs, once per scheduled instant, across restarts.
import Foundation
import SQLiteDB

/// Queues scheduled backups. `tick()` is the whole decision, so tests drive it with a manual clock;
/// `run()` calls it in a loop until cancelled.
public struct Scheduler: Sendable {
    /// What one tick did for one item.
    public struct Outcome: Sendable, Equatable {
        public var itemKind: String
        public var itemName: String
        public var scheduledFor: Date
        /// Scheduled instants that passed unrun before this one (the agent was down); covered by this run.
        public var missed: Int
        /// The queued job, or nil when a backup of the item was already queued or running.
        public var jobID: Int64?
    }

    let database: Database
    let goals: GoalStore
    let jobs: JobStore
    let clock: Clock

    public init(database: Database, clock: @escaping Clock) {
        self.database = database
        self.goals = GoalStore(database: database, clock: clock)
        self.jobs = JobStore(database: database, clock: clock)
        self.clock = clock
    }

    /// Queues a backup for every item whose scheduled instant has passed since its last one, and records the
    /// instant as handled (also when the item was busy: a running backup covers it).
    @discardableResult
    public func tick() throws -> [Outcome] {
        guard let (goal, savedAt) = try goals.goal() else { return [] }
        let planner = SchedulePlanner(schedule: goal.schedule)
        let now = clock()
        var outcomes: [Outcome] = []
        for item in goal.items {
            let decision = planner.decide(now: now, lastScheduled: try goals.lastScheduled(kind: item.kind, name: item.name), since: savedAt)
            guard let due = decision.due else { continue }
            var jobID: Int64?
            do {
                jobID = try jobs.enqueue(.backup, itemKind: item.kind, itemName: item.name, trigger: .scheduled).id
            } catch JobStoreError.busy {
                jobID = nil
            }
            try database.execute(
                "UPDATE items SET last_scheduled_at = ? WHERE item_kind = ? AND item_name = ?",
                [.real(due.timeIntervalSince1970), .text(item.kind), .text(item.name)])
            outcomes.append(Outcome(itemKind: item.kind, itemName: item.name, scheduledFor: due, missed: decision.missed, jobID: jobID))
        }
        return outcomes
    }

    /// The next instant any item is scheduled for, for the overview page.
    public func nextRun() throws -> Date? {
        guard let (goal, _) = try goals.goal() else { return nil }
        return SchedulePlanner(schedule: goal.schedule).next(after: clock())
    }

    /// Ticks every `interval` until the task is cancelled; `sleep` is injected so tests need not wait.
    public func run(interval: Duration = .seconds(30),
                    sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                    onTick: @Sendable ([Outcome]) -> Void = { _ in }) async throws {
        while !Task.isCancelled {
            onTick(try tick())
            try await sleep(interval)
        }
    }
}
