import Foundation
import ObjectStore
import Synchronization

/// Conformance checks with several threads writing at once.
extension ObjectStoreConformance {
    static let threadCount = 8

    func checkConcurrentSamePut(_ store: any ObjectStore) throws {
        let bytes = Self.bytes(count: 1 << 20, seed: 70)
        let key = try key(.data, for: bytes)
        let failures = Self.onThreads(Self.threadCount) { _ in try store.put(key, bytes) }
        try expect(failures.isEmpty, "concurrent puts of one object failed: \(failures)")
        try expect(try store.get(key) == bytes, "after concurrent puts, \(key) reads back wrong")
        try expectListing(store, .data, [key: bytes.count])
    }

    func checkConcurrentDifferentPuts(_ store: any ObjectStore) throws {
        let perThread = 4
        let objects = (0..<(Self.threadCount * perThread)).map { Self.bytes(count: 1000 + $0 * 513, seed: 80 + UInt64($0)) }
        let keys = try objects.map { try key(.data, for: $0) }
        let failures = Self.onThreads(Self.threadCount) { thread in
            for index in stride(from: thread, to: objects.count, by: Self.threadCount) {
                try store.put(keys[index], objects[index])
            }
        }
        try expect(failures.isEmpty, "concurrent puts of different objects failed: \(failures)")
        for (key, bytes) in zip(keys, objects) {
            try expect(try store.get(key) == bytes, "after concurrent puts, \(key) reads back wrong")
        }
        try expectListing(store, .data, Dictionary(uniqueKeysWithValues: zip(keys, objects.map(\.count))))
    }

    /// Runs `body` on `count` threads released together, and returns the errors they threw.
    static func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [String] {
        let failures = FailureList()
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for index in 0..<count {
            done.enter()
            Thread {
                start.wait()
                do { try body(index) } catch { failures.append("thread \(index): \(error)") }
                done.leave()
            }.start()
        }
        for _ in 0..<count { start.signal() }
        done.wait()
        return failures.all
    }
}

/// Errors collected from several threads; the mutex is what makes it safe to share.
final class FailureList: Sendable {
    private let items = Mutex<[String]>([])

    func append(_ item: String) { items.withLock { $0.append(item) } }
    var all: [String] { items.withLock { $0 } }
}
