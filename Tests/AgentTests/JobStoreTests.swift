import Agent
import Foundation
import SQLiteDB
import Synchronization
import Testing

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let now = Mutex(Date(timeIntervalSince1970: 1_795_000_000))
    var clock: Clock { { [self] in now.withLock { $0 } } }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
}

@Suite("Job store")
struct JobStoreTests {
    let directory: String
    let clock = ManualClock()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("haven-jobs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func store() throws -> (JobStore, Database) {
        let database = try AgentDatabase.open(path: directory + "/agent.sqlite")
        return (JobStore(database: database, clock: clock.clock), database)
    }

    @Test("a job is queued, started and finished with its times recorded")
    func lifecycle() throws {
        let (jobs, _) = try store()
        let queued = try jobs.enqueue(.backup, itemKind: "files", itemName: "Files and folders", trigger: .manual)
        #expect(queued.state == .queued && queued.startedAt == nil)
        #expect(try jobs.nextQueued()?.id == queued.id)
        clock.advance(10)
        let running = try jobs.apply(.start, to: queued.id)
        #expect(running.state == .running && running.startedAt == queued.createdAt.addingTimeInterval(10))
        clock.advance(60)
        let done = try jobs.apply(.complete(warnings: 1), to: queued.id)
        #expect(done.state == .completedWithWarnings)
        #expect(done.finishedAt == queued.createdAt.addingTimeInterval(70))
        #expect(try jobs.nextQueued() == nil)
    }

    @Test("only one backup of an item is queued or running at a time")
    func oneBackupPerItem() throws {
        let (jobs, _) = try store()
        let first = try jobs.enqueue(.backup, itemKind: "files", itemName: "Files and folders", trigger: .scheduled)
        #expect(throws: JobStoreError.busy(item: "Files and folders", jobID: first.id)) {
            try jobs.enqueue(.backup, itemKind: "files", itemName: "Files and folders", trigger: .manual)
        }
        // Another item, and a restore of the same one, are fine.
        _ = try jobs.enqueue(.backup, itemKind: "system-state", itemName: "System state", trigger: .manual)
        _ = try jobs.enqueue(.restore, itemKind: "files", itemName: "Files and folders", trigger: .manual)
        try jobs.apply(.start, to: first.id)
        try jobs.apply(.fail(reason: "the vault is unreachable"), to: first.id)
        _ = try jobs.enqueue(.backup, itemKind: "files", itemName: "Files and folders", trigger: .manual)
    }

    @Test("after a restart, running jobs are failed with the reason and their item's next backup is unoptimized")
    func restartRecovery() throws {
        let (jobs, database) = try store()
        try database.execute("INSERT INTO items (item_kind, item_name, created_at) VALUES ('files', 'Files and folders', 0)")
        let job = try jobs.enqueue(.backup, itemKind: "files", itemName: "Files and folders", trigger: .scheduled)
        try jobs.apply(.start, to: job.id)
        let waiting = try jobs.enqueue(.backup, itemKind: "system-state", itemName: "System state", trigger: .scheduled)

        // A new process opens the same file, as the daemon does after a crash.
        let (reopened, database2) = try store()
        let changed = try reopened.recoverAfterRestart()
        #expect(changed.map(\.id) == [job.id])
        let failed = try reopened.job(job.id)
        #expect(failed.state == .failed && failed.failureReason?.contains("agent stopped") == true)
        #expect(try reopened.job(waiting.id).state == .queued)
        let reason = try database2.query("SELECT unoptimized_reason FROM items").first?.get("unoptimized_reason", as: String?.self)
        #expect(reason == "the previous backup was interrupted when the agent stopped")
    }

    @Test("cancelling a finished job is refused and changes nothing")
    func cancelFinished() throws {
        let (jobs, _) = try store()
        let job = try jobs.enqueue(.restore, itemKind: "files", itemName: "Files and folders", trigger: .manual)
        try jobs.apply(.start, to: job.id)
        try jobs.apply(.complete(warnings: 0), to: job.id)
        #expect(throws: JobTransitionError.self) { try jobs.apply(.requestCancel, to: job.id) }
        #expect(try jobs.job(job.id).state == .succeeded)
        #expect(throws: JobStoreError.notFound(999)) { try jobs.job(999) }
        #expect(try jobs.recent().map(\.id) == [job.id])
    }
}
