/// Worker owns the thread that runs jobs one at a time (the engine is synchronous), the job it is running with its
/// live figures and cancel switch, and repositories of other machines waiting in memory for their restore jobs.
import Backup
import Foundation
import Repository

/// The worker thread's shared state.
///
/// `@unchecked Sendable`: every stored property is read and written only while `condition` is locked.
final class Worker: @unchecked Sendable {
    private let condition = NSCondition()
    private var running: RunningJob?
    private var held: [Int64: Repository] = [:]
    private var pendingWakeups = 0
    private var jobsEnded: UInt64 = 0
    private var stopping = false
    private var thread: Thread?
    private var exited: [CheckedContinuation<Void, Never>] = []
    private var hasExited = false

    /// Starts the thread; `loop` runs on it until `isStopping`.
    func start(_ loop: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            loop()
            let waiting = locked { () -> [CheckedContinuation<Void, Never>] in
                hasExited = true
                defer { exited = [] }
                return exited
            }
            waiting.forEach { $0.resume() }
        }
        thread.name = "haven-agent-worker"
        locked { self.thread = thread }
        thread.start()
    }

    var isStopping: Bool { locked { stopping } }

    /// Asks the thread to look at the queue now.
    func wake() {
        locked {
            pendingWakeups += 1
            condition.broadcast()
        }
    }

    /// Waits until woken, stopped, or `seconds` passed.
    func waitForWork(seconds: Double) {
        condition.lock()
        defer { condition.unlock() }
        if pendingWakeups == 0 && !stopping { _ = condition.wait(until: Date().addingTimeInterval(seconds)) }
        pendingWakeups = 0
    }

    /// Tells those waiting in `waitForJobEnd` that a job ended.
    func jobEnded() {
        locked {
            jobsEnded &+= 1
            condition.broadcast()
        }
    }

    /// How many jobs have ended so far. A waiter reads it before it looks at its job, so an end in between is not missed.
    var endedCount: UInt64 { locked { jobsEnded } }

    /// Waits until a job ends after `count` ended, the worker stops, or `deadline` passes.
    func waitForJobEnd(after count: UInt64, until deadline: Date) {
        condition.lock()
        defer { condition.unlock() }
        while jobsEnded == count && !stopping {
            if !condition.wait(until: deadline) { return }
        }
    }

    /// Stops the thread after the running job (which is asked to stop) and waits for it to exit.
    func stop() async {
        let job = locked { () -> RunningJob? in
            stopping = true
            condition.broadcast()
            return running
        }
        job?.cancel()
        guard locked({ thread != nil }) else { return }
        await withCheckedContinuation { continuation in
            let done = locked { () -> Bool in
                if !hasExited { exited.append(continuation) }
                return hasExited
            }
            if done { continuation.resume() }
        }
    }

    func setRunning(_ job: RunningJob?) { locked { running = job } }

    var runningID: Int64? { locked { running?.id } }

    func progress(of id: Int64, now: Date) -> JobProgress? {
        guard let job = locked({ running?.id == id ? running : nil }) else { return nil }
        return job.snapshot(now: now)
    }

    /// Flips the running job's cancel switch if it is job `id`.
    func cancel(_ id: Int64) {
        locked { running?.id == id ? running : nil }?.cancel()
    }

    /// Keeps another machine's opened repository for restore job `id`.
    func hold(_ repository: Repository, for id: Int64) { locked { held[id] = repository } }

    func takeHeld(_ id: Int64) -> Repository? { locked { held.removeValue(forKey: id) } }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }
}

/// The job the worker runs: its live counters and cancel switch.
///
/// `@unchecked Sendable`: the progress objects are thread-safe; `estimate` is guarded by `lock`.
final class RunningJob: @unchecked Sendable {
    let id: Int64
    let startedAt: Date
    let backup = BackupProgress()
    let restore = RestoreProgress()
    private let lock = NSLock()
    private var estimate: UInt64?
    private let isRestore: Bool

    init(id: Int64, startedAt: Date, isRestore: Bool) {
        self.id = id
        self.startedAt = startedAt
        self.isRestore = isRestore
    }

    func cancel() {
        backup.cancel()
        restore.cancel()
    }

    var isCancelled: Bool { backup.isCancelled }

    /// The bytes the job will go through: the previous point's size (backup) or what is restored.
    func setEstimate(_ bytes: UInt64?) {
        lock.lock()
        estimate = bytes
        lock.unlock()
    }

    func snapshot(now: Date) -> JobProgress {
        lock.lock()
        let total = estimate
        lock.unlock()
        let elapsed = max(now.timeIntervalSince(startedAt), 0)
        var progress = JobProgress()
        let done: UInt64
        if isRestore {
            let figures = restore.snapshot()
            progress.filesDone = figures.filesRestored
            progress.bytesRead = figures.bytesRestored
            progress.currentPath = figures.currentPath
            done = figures.bytesRestored
        } else {
            let figures = backup.snapshot()
            progress.filesScanned = figures.filesScanned
            progress.bytesScanned = figures.bytesScanned
            progress.filesDone = figures.filesRead
            progress.bytesRead = figures.bytesRead
            progress.bytesNew = figures.bytesNew
            progress.bytesUploaded = figures.bytesUploaded
            progress.currentPath = FileName.printable(figures.currentPath)
            done = figures.bytesScanned
        }
        progress.bytesPerSecond = elapsed > 0 ? Double(done) / elapsed : 0
        progress.estimatedTotalBytes = total
        if let total, total > 0 {
            // A backup's estimate is the previous point's size: the sources may have grown past it.
            progress.fraction = min(Double(done) / Double(total), isRestore ? 1 : 0.99)
            if progress.bytesPerSecond > 0, total > done {
                progress.eta = .seconds(Double(total - done) / progress.bytesPerSecond)
            }
        } else if isRestore {
            progress.fraction = 1
        }
        return progress
    }
}
