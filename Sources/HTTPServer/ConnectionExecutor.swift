/// The task executor through which an MHD connection thread runs its own request's handler.
import Foundation

/// Runs the jobs of one request's handler task on the MHD connection thread that waits for its response.
///
/// The handler task is created with this executor as its preference, so its nonisolated code, its
/// structured children and default actors it calls all run here, on a thread MHD owns, and never
/// wait for a cooperative-pool thread. The connection thread calls `run()`, which executes jobs as
/// they are enqueued until the task calls `finish()`. A job that arrives after `run()` returned (only
/// an unusual escape, such as a continuation resumed late) goes to the global executor rather than
/// being lost.
///
/// `@unchecked Sendable`: `jobs`, `finished` and `running` are only touched while holding `condition`;
/// jobs are executed by the one thread inside `run()`.
final class ConnectionExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var finished = false
    private var running = true

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        guard running else {
            condition.unlock()
            globalConcurrentExecutor.enqueue(job)
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Marks the task as done; `run()` returns once the jobs already queued have run.
    func finish() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    /// Executes enqueued jobs on the calling thread until `finish()` has been called.
    func run() {
        let executor = asUnownedTaskExecutor()
        condition.lock()
        while true {
            while jobs.isEmpty && !finished { condition.wait() }
            if jobs.isEmpty { break }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: executor) }
            condition.lock()
        }
        running = false
        condition.unlock()
    }
}
