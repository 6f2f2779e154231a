import Foundation

/// A value computed on a thread of its own while the caller does something else: how opening a repository reads the
/// index objects from the store while scrypt derives the key, and how a backup takes its change journal's hand-over
/// while the repository opens. `value()` waits for it and rethrows what the computation threw.
public final class Prefetch<Value: Sendable>: @unchecked Sendable {
    // Safe: `result` is written once, by the prefetching thread before it signals `done`, and read only after a wait
    // on `done` (which every reader passes on by signalling it again).
    private var result: Result<Value, any Error>?
    private let done = DispatchSemaphore(value: 0)

    public init(named name: String, _ body: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            result = Result { try body() }
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    /// The computed value, once there; throws what the computation threw.
    public func value() throws -> Value {
        done.wait()
        defer { done.signal() }
        return try result!.get()
    }
}
