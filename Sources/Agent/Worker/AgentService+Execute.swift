/// The worker's side of a job: starting it, running it, and recording how it ended (report, state, notification).
import Backup
import Foundation
import Repository
import VaultClient

extension AgentService {
    /// The worker thread's loop: the oldest queued job, one at a time, until the worker stops.
    func workerLoop() {
        while !worker.isStopping {
            guard let job = try? jobStore.nextQueued() else {
                worker.waitForWork(seconds: 2)
                continue
            }
            execute(job)
        }
    }

    /// Runs one queued job to its end.
    func execute(_ job: JobRecord) {
        // A cancel from the portal may have won the race: then the job is no longer queued and is left alone.
        guard (try? jobStore.apply(.start, to: job.id)) != nil else { return }
        // Last of the defers: whoever waits for the job's end reads it recorded.
        defer { worker.jobEnded() }
        let running = RunningJob(id: job.id, startedAt: clock(), isRestore: job.kind == .restore)
        worker.setRunning(running)
        defer { worker.setRunning(nil) }
        if (try? jobStore.job(job.id).state) == .cancelling || worker.isStopping { running.cancel() }
        let started = clock()
        do {
            var report = job.kind == .backup ? try runBackup(job, running) : try runRestore(job, running)
            report.durationSeconds = clock().timeIntervalSince(started)
            try jobStore.complete(job.id, with: report)
            log("job \(job.id) (\(job.kind.rawValue) of \(job.itemName)) finished: \(report.warnings.count) warning(s)")
        } catch is BackupCancelled {
            stoppedAfterCancel(job)
        } catch is RestoreCancelled {
            stoppedAfterCancel(job)
        } catch {
            let reason = (error as? AgentError)?.message ?? "\(error)"
            _ = try? jobStore.apply(.fail(reason: reason), to: job.id)
            log("job \(job.id) (\(job.kind.rawValue) of \(job.itemName)) failed: \(reason)")
            notify(.jobFailed(job.id), "The \(job.kind.rawValue) of \(job.itemName) (job \(job.id)) failed: \(reason)")
        }
    }

    private func stoppedAfterCancel(_ job: JobRecord) {
        // Stopping the agent cancels the running job without going through `cancel(_:)`.
        if (try? jobStore.job(job.id).state) == .running { _ = try? jobStore.apply(.requestCancel, to: job.id) }
        _ = try? jobStore.apply(.stoppedAfterCancel, to: job.id)
        log("job \(job.id) (\(job.kind.rawValue) of \(job.itemName)) was cancelled")
    }

    func log(_ line: String) {
        FileHandle.standardError.write(Data(("haven agent: " + line + "\n").utf8))
    }
}
