/// A plain mutex for the server's own bookkeeping.
import Glibc

/// A pthread mutex with a closure API.
final class Lock: @unchecked Sendable {
    // @unchecked: the mutex is the synchronization; its storage is allocated once and never moved.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
