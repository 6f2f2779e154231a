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
        Thread.startBackground(named: name) { [self] in
            result = Result { try body() }
            done.signal()
        }
    }

    /// The computed value, once there; throws what the computation threw.
    public func value() throws -> Value {
        done.wait()
        defer { done.signal() }
        return try result!.get()
    }
}

extension Thread {
    /// Starts a named thread with a 1 MiB stack (enough for the walk's and the workers' frames) running `body`: how
    /// the backup's worker pool and parallel walk, and every `Prefetch`, start their threads.
    public static func startBackground(named name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }
}
