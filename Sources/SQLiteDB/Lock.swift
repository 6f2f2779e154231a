/// The mutex that serializes a Database, and that turns re-entrant use into an error instead of a deadlock.
#if canImport(Glibc)
import Glibc
#endif

/// An error-checking pthread mutex: locking it again from the thread that holds it returns EDEADLK,
/// which `withLock` reports as misuse (calling the database from inside its own transaction).
final class Lock: @unchecked Sendable {
    // @unchecked: the pthread mutex is the synchronization; its storage is allocated once and never moved.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ERRORCHECK))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<T>(_ body: () throws -> T) throws -> T {
        let rc = pthread_mutex_lock(mutex)
        if rc == EDEADLK {
            throw SQLiteError.misuse(
                "the database was used from inside one of its own transactions; use the transaction's handle instead")
        }
        precondition(rc == 0, "pthread_mutex_lock failed with \(rc)")
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
