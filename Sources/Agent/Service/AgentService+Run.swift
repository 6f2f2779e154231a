/// The daemon's loops: at start, jobs the previous process left running are recorded as failed; then the scheduler
/// queues backups on time and the worker runs them, until the task is cancelled (SIGTERM in `haven agent serve`).
import Foundation

extension AgentService {
    /// Runs the scheduler and the worker until the task is cancelled; then the running job is cancelled (it commits
    /// nothing and the vault stays valid) and the worker thread ends before this returns.
    public func run() async throws {
        for job in try Self.mapping({ try jobStore.recoverAfterRestart() }) {
            log("job \(job.id) (\(job.kind.rawValue) of \(job.itemName)) was running when the agent stopped: recorded as \(job.state.rawValue)")
            if job.state == .failed {
                notify(.jobFailed(job.id), "The \(job.kind.rawValue) of \(job.itemName) (job \(job.id)) failed: \(job.failureReason ?? "")")
            }
        }
        if let goal = try? goals.goal()?.goal { journal.start(paths: goal.paths + goal.volumes) } else { journal.start(paths: []) }
        if let goal = try? goals.goal()?.goal { removeStaleSnapshots(paths: goal.paths + goal.volumes) }
        if case .unavailable(let reason) = journal.status() {
            log("no change journal (\(reason)): every backup compares every file with the previous recovery point")
        }
        defer { journal.stop() }
        worker.start { [self] in workerLoop() }
        let scheduler = Scheduler(database: database, clock: clock)
        let worker = self.worker
        do {
            try await scheduler.run(interval: configuration.schedulerInterval, onTick: { outcomes in
                if outcomes.contains(where: { $0.jobID != nil }) { worker.wake() }
            })
        } catch is CancellationError {
        } catch {
            await stopWorker()
            throw error
        }
        await stopWorker()
    }

    private func stopWorker() async {
        if let id = worker.runningID { _ = try? jobStore.apply(.requestCancel, to: id) }
        await worker.stop()
    }
}
