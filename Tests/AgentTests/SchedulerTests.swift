import Agent
import Foundation
import SQLiteDB
import Testing

@Suite("Scheduler")
struct SchedulerTests {
    let clock = ManualClock()
    let database: Database

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("haven-scheduler-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        database = try AgentDatabase.open(path: directory + "/agent.sqlite")
    }

    func setGoal(times: [String], systemState: Bool = false) throws {
        let schedule = try BackupSchedule(frequency: .daily, times: times.map { TimeOfDay($0)! }, timeZoneIdentifier: "UTC")
        try GoalStore(database: database, clock: clock.clock).save(
            try BackupGoal(paths: ["/srv"], systemState: systemState, schedule: schedule))
    }

    /// Moves the manual clock to a UTC wall-clock time.
    func at(_ text: String) {
        clock.advance(utc(text).timeIntervalSince(clock.clock()))
    }

    @Test("nothing is queued without a goal or before the first scheduled time")
    func nothingEarly() throws {
        let scheduler = Scheduler(database: database, clock: clock.clock)
        #expect(try scheduler.tick().isEmpty)
        at("2026-11-24 08:00")
        try setGoal(times: ["09:00"])
        #expect(try scheduler.tick().isEmpty)
        #expect(try scheduler.nextRun() == utc("2026-11-24 09:00"))
    }

    @Test("each item is queued once per scheduled time, and not again on the next tick")
    func queuesOnce() throws {
        at("2026-11-24 08:00")
        try setGoal(times: ["09:00"], systemState: true)
        let scheduler = Scheduler(database: database, clock: clock.clock)
        at("2026-11-24 09:00")
        let outcomes = try scheduler.tick()
        #expect(outcomes.map(\.itemName) == ["Files and folders", "System state"])
        #expect(outcomes.allSatisfy { $0.jobID != nil && $0.scheduledFor == utc("2026-11-24 09:00") })
        at("2026-11-24 09:01")
        #expect(try scheduler.tick().isEmpty)
        let queued = try JobStore(database: database, clock: clock.clock).recent()
        #expect(queued.count == 2 && queued.allSatisfy { $0.trigger == .scheduled && $0.state == .queued })
    }

    @Test("after downtime the missed runs become one backup, and a busy item is not queued twice")
    func downtimeAndBusy() throws {
        at("2026-11-24 08:00")
        try setGoal(times: ["09:00", "21:00"])
        let scheduler = Scheduler(database: database, clock: clock.clock)
        at("2026-11-24 09:00")
        let first = try #require(try scheduler.tick().first?.jobID)
        // The agent is down (the first job still queued) until Wednesday 10:00.
        at("2026-11-26 10:00")
        let outcome = try #require(try scheduler.tick().first)
        #expect(outcome.scheduledFor == utc("2026-11-26 09:00") && outcome.missed == 3)
        #expect(outcome.jobID == nil)  // the first job still covers the item
        #expect(try JobStore(database: database, clock: clock.clock).recent().map(\.id) == [first])
    }
}
