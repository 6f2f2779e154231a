/// The idle curl easy handles a Client reuses, so their keep-alive connections are reused too.
import Glibc

/// A bounded stack of idle handles. A handle is owned by exactly one thread between `take` and `give`.
final class HandlePool: @unchecked Sendable {
    // @unchecked: `idle` is only touched while holding `mutex`.
    private let capacity: Int
    private var idle: [EasyHandle] = []
    // Allocated, not a stored pthread_mutex_t: a mutex must never move, and `&property` gives no such promise.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t> = .allocate(capacity: 1)

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// The most recently used idle handle (its connection is the most likely to be alive), or a new one.
    func take() -> EasyHandle {
        pthread_mutex_lock(mutex)
        let handle = idle.popLast()
        pthread_mutex_unlock(mutex)
        return handle ?? EasyHandle()
    }

    /// Returns a handle after a successful request; beyond capacity it is dropped (and its connections closed).
    func give(_ handle: EasyHandle) {
        pthread_mutex_lock(mutex)
        if idle.count < capacity { idle.append(handle) }
        pthread_mutex_unlock(mutex)
    }
}
