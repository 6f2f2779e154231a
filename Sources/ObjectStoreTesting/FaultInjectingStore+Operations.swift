import ObjectStore
import Synchronization

/// The ObjectStore calls of FaultInjectingStore: decide under the lock, call the inner store outside it, log.
extension FaultInjectingStore {
    public func put(_ key: ObjectKey, _ bytes: [UInt8]) throws {
        enum Plan: Sendable { case proceed, fail(ObjectStoreError.Code), crashAfter }
        let plan: Plan = withState { state in
            state.puts += 1
            guard !state.crashed else { return .proceed }  // perform refuses it
            for fault in state.faults {
                switch fault {
                case .failNthPut(let n, let code) where n == state.puts: return .fail(code)
                case .failPuts(let kind, let code) where kind == key.kind: return .fail(code)
                case .crashAfterNthPut(let n) where n == state.puts: return .crashAfter
                case .crashAfterPut(let kind) where kind == key.kind: return .crashAfter
                default: continue
                }
            }
            return .proceed
        }
        switch plan {
        case .fail(let code):
            record(.put, key, .injected)
            throw ObjectStoreError(code, key: key, message: "injected fault: put of \(key) failed with \(code)")
        case .proceed, .crashAfter:
            try perform(.put, key) { try inner.put(key, bytes) }
            guard case .crashAfter = plan else { return }
            withState { state in
                state.crashed = true
                if let last = state.log.lastIndex(where: { $0.operation == .put && $0.name == key.name }) {
                    state.log[last] = Entry(operation: .put, kind: key.kind, name: key.name, outcome: .crashed)
                }
            }
            throw crashError(key)
        }
    }

    public func get(_ key: ObjectKey) throws -> [UInt8] {
        try checkGet(key, .get)
        return try perform(.get, key) { try inner.get(key) }
    }

    public func get(_ key: ObjectKey, range: Range<Int>) throws -> [UInt8] {
        try checkGet(key, .getRange)
        return try perform(.getRange, key) { try inner.get(key, range: range) }
    }

    public func head(_ key: ObjectKey) throws -> ObjectInfo {
        try perform(.head, key) { try inner.head(key) }
    }

    public func list(_ kind: ObjectKind) throws -> [ObjectInfo] {
        try perform(.list, kind: kind, name: nil) { try inner.list(kind) }
    }

    public func delete(_ key: ObjectKey) throws {
        try perform(.delete, key) { try inner.delete(key) }
    }

    private func checkGet(_ key: ObjectKey, _ operation: Entry.Operation) throws {
        let code: ObjectStoreError.Code? = withState { state in
            guard !state.crashed else { return nil }
            state.gets += 1
            for fault in state.faults {
                switch fault {
                case .failNthGet(let n, let code) where n == state.gets: return code
                case .failGets(let kind, let code) where kind == nil || kind == key.kind: return code
                default: continue
                }
            }
            return nil
        }
        if let code {
            record(operation, key, .injected)
            throw ObjectStoreError(code, key: key, message: "injected fault: get of \(key) failed with \(code)")
        }
    }

    private func perform<T>(_ operation: Entry.Operation, _ key: ObjectKey, _ body: () throws -> T) throws -> T {
        try perform(operation, kind: key.kind, name: key.name, body)
    }

    private func perform<T>(
        _ operation: Entry.Operation, kind: ObjectKind, name: String?, _ body: () throws -> T
    ) throws -> T {
        if hasCrashed {
            withState { $0.log.append(Entry(operation: operation, kind: kind, name: name, outcome: .refused)) }
            throw ObjectStoreError(.unavailable, message: "injected fault: the store crashed earlier and refuses every call")
        }
        do {
            let result = try body()
            withState { $0.log.append(Entry(operation: operation, kind: kind, name: name, outcome: .succeeded)) }
            return result
        } catch {
            withState { $0.log.append(Entry(operation: operation, kind: kind, name: name, outcome: .failed)) }
            throw error
        }
    }

    private func record(_ operation: Entry.Operation, _ key: ObjectKey, _ outcome: Entry.Outcome) {
        withState { $0.log.append(Entry(operation: operation, kind: key.kind, name: key.name, outcome: outcome)) }
    }

    private func crashError(_ key: ObjectKey) -> ObjectStoreError {
        ObjectStoreError(.unavailable, key: key, message: "injected fault: the store crashed after writing \(key)")
    }
}
