import Foundation
import Glibc
import Repository

/// The per-thread half of a worker pool: state that must not be shared (a compressor, a pack in progress).
protocol PoolWorker: SendableMetatype {
    associatedtype Job
    func process(_ job: Job) throws
    /// Runs once on the worker's thread after its last job (e.g. to store a partial pack).
    func finish() throws
}

/// A fixed set of threads consuming a bounded queue, so a fast producer cannot run far ahead of them.
///
/// `@unchecked Sendable`: the queue, the error and the counters are only touched under `mutex`.
final class WorkerPool<Worker: PoolWorker>: @unchecked Sendable where Worker.Job: Sendable {
    private var mutex = pthread_mutex_t()
    private var notEmpty = pthread_cond_t()
    private var notFull = pthread_cond_t()
    private var allDone = pthread_cond_t()
    private var queue: [Worker.Job] = []
    private var head = 0
    private let capacity: Int
    private var closed = false
    private var running: Int
    private var failure: Error?

    /// Starts `threads` threads, each building its worker with `makeWorker` on its own thread.
    init(threads: Int, capacity: Int, makeWorker: @escaping @Sendable () throws -> Worker) {
        self.capacity = max(capacity, 1)
        running = max(threads, 1)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&notEmpty, nil)
        pthread_cond_init(&notFull, nil)
        pthread_cond_init(&allDone, nil)
        for index in 0..<running {
            Thread.startBackground(named: "haven-worker-\(index)") { [self] in self.work(makeWorker) }
        }
    }

    deinit {
        pthread_cond_destroy(&allDone)
        pthread_cond_destroy(&notFull)
        pthread_cond_destroy(&notEmpty)
        pthread_mutex_destroy(&mutex)
    }

    private func work(_ makeWorker: () throws -> Worker) {
        var worker: Worker?
        do { worker = try makeWorker() } catch { fail(error) }
        while let job = next() {
            guard let worker else { continue }
            do { try worker.process(job) } catch { fail(error) }
        }
        if let worker {
            do { try worker.finish() } catch { fail(error) }
        }
        pthread_mutex_lock(&mutex)
        running -= 1
        pthread_cond_broadcast(&allDone)
        pthread_mutex_unlock(&mutex)
    }

    private func next() -> Worker.Job? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while head == queue.count && !closed { pthread_cond_wait(&notEmpty, &mutex) }
        guard head < queue.count else { return nil }
        let job = queue[head]
        head += 1
        if head > 1024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        pthread_cond_signal(&notFull)
        return job
    }

    private func fail(_ error: Error) {
        pthread_mutex_lock(&mutex)
        if failure == nil { failure = error }
        // Nothing more will be done: drop what is queued so the producer stops waiting.
        queue.removeAll()
        head = 0
        pthread_cond_broadcast(&notFull)
        pthread_mutex_unlock(&mutex)
    }

    /// Queues a job, waiting while the queue is full. Throws the first worker failure, if any.
    func submit(_ job: Worker.Job) throws {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while queue.count - head >= capacity && failure == nil { pthread_cond_wait(&notFull, &mutex) }
        if let failure { throw failure }
        queue.append(job)
        pthread_cond_signal(&notEmpty)
    }

    /// Throws the first worker failure, if any, without waiting.
    func checkFailure() throws {
        pthread_mutex_lock(&mutex)
        let failure = self.failure
        pthread_mutex_unlock(&mutex)
        if let failure { throw failure }
    }

    /// Lets the workers drain the queue, waits for all of them, and throws the first failure.
    func finish() throws {
        pthread_mutex_lock(&mutex)
        closed = true
        pthread_cond_broadcast(&notEmpty)
        while running > 0 { pthread_cond_wait(&allDone, &mutex) }
        let failure = self.failure
        pthread_mutex_unlock(&mutex)
        if let failure { throw failure }
    }
}
