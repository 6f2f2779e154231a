import ObjectStore
import Synchronization

/// An ObjectStore wrapper that fails or "crashes" on command and logs every operation, for testing
/// retries, crash recovery and write ordering (packs → index → recovery point) of the code above it.
///
/// A crash is a write that reaches the inner store followed by an error, after which this wrapper
/// refuses everything, as a dead process would. To model the restart, wrap the same inner store again.
public final class FaultInjectingStore: ObjectStore {
    /// What to break. Put and get numbers count from 1 over the wrapper's whole life, failed calls included.
    public enum Fault: Sendable, Equatable {
        /// The Nth put fails before anything is written.
        case failNthPut(Int, code: ObjectStoreError.Code = .io)
        /// Every put of `kind` fails before anything is written.
        case failPuts(of: ObjectKind, code: ObjectStoreError.Code = .io)
        /// The Nth get (whole or ranged) fails.
        case failNthGet(Int, code: ObjectStoreError.Code = .io)
        /// Every get (whole or ranged) of `kind`, or of any kind when nil, fails.
        case failGets(of: ObjectKind?, code: ObjectStoreError.Code = .io)
        /// The Nth put is written, then the store crashes.
        case crashAfterNthPut(Int)
        /// The first put of `kind` is written, then the store crashes.
        case crashAfterPut(of: ObjectKind)
    }

    /// One logged call and how it ended.
    public struct Entry: Sendable, Equatable, CustomStringConvertible {
        public enum Operation: String, Sendable { case put, get, getRange = "get-range", head, list, delete }
        public enum Outcome: String, Sendable {
            /// The inner store did it.
            case succeeded
            /// The inner store threw.
            case failed
            /// A fault stopped it before it reached the inner store.
            case injected
            /// It reached the inner store, then the crash happened.
            case crashed
            /// The store had crashed before; nothing was done.
            case refused
        }

        public let operation: Operation
        public let kind: ObjectKind
        /// The object's name; nil for list.
        public let name: String?
        public let outcome: Outcome

        public var description: String {
            "\(operation.rawValue) \(kind.rawValue)\(name.map { "/" + $0 } ?? "") \(outcome.rawValue)"
        }
    }

    struct State {
        var faults: [Fault]
        var puts = 0
        var gets = 0
        var crashed = false
        var log: [Entry] = []
    }

    /// The wrapped store.
    public let inner: any ObjectStore
    private let state: Mutex<State>

    public init(wrapping inner: any ObjectStore, faults: [Fault] = []) {
        self.inner = inner
        self.state = Mutex(State(faults: faults))
    }

    /// Adds a fault; it applies to calls from now on.
    public func inject(_ fault: Fault) { state.withLock { $0.faults.append(fault) } }

    /// Removes every fault (a crash stays a crash).
    public func removeAllFaults() { state.withLock { $0.faults.removeAll() } }

    /// Every call so far, in the order they finished.
    public var log: [Entry] { state.withLock { $0.log } }

    /// The keys whose puts reached the inner store (including the one a crash followed), in order.
    public var writtenKeys: [ObjectKey] {
        state.withLock { state in
            state.log.filter { $0.operation == .put && ($0.outcome == .succeeded || $0.outcome == .crashed) }
                .compactMap { entry in entry.name.flatMap { try? ObjectKey(entry.kind, $0) } }
        }
    }

    /// Whether a crash fault has fired.
    public var hasCrashed: Bool { state.withLock { $0.crashed } }

    func withState<T: Sendable>(_ body: (inout State) -> T) -> T {
        state.withLock { body(&$0) }
    }
}
