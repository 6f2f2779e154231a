import ObjectStore
import ObjectStoreTesting
import Testing

@Suite("FaultInjectingStore")
struct FaultInjectingStoreTests {
    let packs = (0..<3).map { [UInt8](repeating: UInt8($0), count: 10 + $0) }

    func key(_ kind: ObjectKind, _ bytes: [UInt8]) throws -> ObjectKey {
        try ObjectKey(kind, ReferenceSHA256.hex(bytes))
    }

    @Test("failNthPut fails exactly that put, with the code asked, and writes nothing")
    func failsNthPut() throws {
        let inner = MemoryStore()
        let store = FaultInjectingStore(wrapping: inner, faults: [.failNthPut(2, code: .noSpace)])
        try store.put(try key(.data, packs[0]), packs[0])
        expectStoreError(.noSpace) { try store.put(try key(.data, packs[1]), packs[1]) }
        try store.put(try key(.data, packs[2]), packs[2])
        #expect(Set(try inner.list(.data).map(\.key)) == [try key(.data, packs[0]), try key(.data, packs[2])])
        #expect(store.log.map(\.outcome) == [.succeeded, .injected, .succeeded])
        // A retry of the failed put is the 4th put and goes through.
        try store.put(try key(.data, packs[1]), packs[1])
        #expect(try inner.list(.data).count == 3)
    }

    @Test("failPuts(of:) fails every put of that kind and none of the others")
    func failsPutsOfKind() throws {
        let store = FaultInjectingStore(wrapping: MemoryStore(), faults: [.failPuts(of: .index)])
        try store.put(try key(.data, packs[0]), packs[0])
        expectStoreError(.io) { try store.put(try key(.index, packs[1]), packs[1]) }
        expectStoreError(.io) { try store.put(try key(.index, packs[2]), packs[2]) }
        store.removeAllFaults()
        try store.put(try key(.index, packs[2]), packs[2])
        #expect(store.writtenKeys == [try key(.data, packs[0]), try key(.index, packs[2])])
    }

    @Test("failGets and failNthGet fail reads, whole and ranged, of the chosen kind")
    func failsGets() throws {
        let store = FaultInjectingStore(wrapping: MemoryStore())
        let data = try key(.data, packs[0])
        let index = try key(.index, packs[1])
        try store.put(data, packs[0])
        try store.put(index, packs[1])
        store.inject(.failNthGet(1, code: .unavailable))
        expectStoreError(.unavailable) { _ = try store.get(data) }
        #expect(try store.get(data) == packs[0])
        store.inject(.failGets(of: .index))
        expectStoreError(.io) { _ = try store.get(index, range: 0..<1) }
        #expect(try store.get(data, range: 1..<3) == Array(packs[0][1..<3]))
        store.inject(.failGets(of: nil))
        expectStoreError(.io) { _ = try store.get(data) }
    }

    @Test("a crash after a put keeps the written object, refuses every later call, and a restart sees the object")
    func crashAfterPut() throws {
        let inner = MemoryStore()
        let store = FaultInjectingStore(wrapping: inner, faults: [.crashAfterPut(of: .index)])
        let data = try key(.data, packs[0])
        let index = try key(.index, packs[1])
        try store.put(data, packs[0])
        let error = expectStoreError(.unavailable) { try store.put(index, packs[1]) }
        #expect(error?.key == index)
        #expect(store.hasCrashed)
        expectStoreError(.unavailable) { try store.put(try key(.recoveryPoints, packs[2]), packs[2]) }
        expectStoreError(.unavailable) { _ = try store.list(.data) }
        #expect(store.log.map(\.outcome) == [.succeeded, .crashed, .refused, .refused])
        #expect(store.writtenKeys == [data, index])

        let restarted = FaultInjectingStore(wrapping: inner)
        #expect(try restarted.get(index) == packs[1])
        #expect(try restarted.list(.recoveryPoints) == [])
    }

    @Test("crashAfterNthPut crashes after the Nth write, whatever its kind")
    func crashAfterNthPut() throws {
        let store = FaultInjectingStore(wrapping: MemoryStore(), faults: [.crashAfterNthPut(2)])
        try store.put(try key(.data, packs[0]), packs[0])
        expectStoreError(.unavailable) { try store.put(try key(.keys, packs[1]), packs[1]) }
        #expect(store.writtenKeys.map(\.kind) == [.data, .keys])
        #expect(try store.inner.get(try key(.keys, packs[1])) == packs[1])
    }

    @Test("the log records kind, name and outcome in order, so write ordering can be asserted")
    func logShowsOrdering() throws {
        let store = FaultInjectingStore(wrapping: MemoryStore())
        try store.put(try key(.data, packs[0]), packs[0])
        try store.put(try key(.data, packs[1]), packs[1])
        try store.put(try key(.index, packs[2]), packs[2])
        try store.put(try key(.recoveryPoints, packs[0]), packs[0])
        _ = try store.head(try key(.index, packs[2]))
        _ = try store.list(.data)
        expectStoreError(.notFound) { try store.delete(try key(.keys, packs[0])) }
        #expect(store.writtenKeys.map(\.kind) == [.data, .data, .index, .recoveryPoints])
        #expect(store.log.map(\.description) == [
            "put data/\(try key(.data, packs[0]).name) succeeded",
            "put data/\(try key(.data, packs[1]).name) succeeded",
            "put index/\(try key(.index, packs[2]).name) succeeded",
            "put recovery-points/\(try key(.recoveryPoints, packs[0]).name) succeeded",
            "head index/\(try key(.index, packs[2]).name) succeeded",
            "list data succeeded",
            "delete keys/\(try key(.keys, packs[0]).name) failed",
        ])
    }
}
