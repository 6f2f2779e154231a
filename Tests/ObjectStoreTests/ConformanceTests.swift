import Foundation
import ObjectStore
import ObjectStoreTesting
import Synchronization
import Testing

@Suite("Conformance")
struct ConformanceTests {
    @Test("FilesystemStore passes every conformance check", arguments: ObjectStoreConformance.Check.allCases)
    func filesystemStore(check: ObjectStoreConformance.Check) throws {
        let scratch = try ScratchDirectory()
        let conformance = ObjectStoreConformance {
            try FilesystemStore.create(root: scratch.path + "/repo", hasher: ReferenceSHA256.hex)
        }
        try conformance.run(check)
    }

    @Test("MemoryStore passes every conformance check", arguments: ObjectStoreConformance.Check.allCases)
    func memoryStore(check: ObjectStoreConformance.Check) throws {
        try ObjectStoreConformance { MemoryStore() }.run(check)
    }

    @Test("FaultInjectingStore without faults passes every conformance check and logs every call")
    func faultInjectingStoreWithoutFaults() throws {
        var wrappers: [FaultInjectingStore] = []
        try ObjectStoreConformance {
            let store = FaultInjectingStore(wrapping: MemoryStore())
            wrappers.append(store)
            return store
        }.runAll()
        #expect(wrappers.count == ObjectStoreConformance.Check.allCases.count)
        #expect(wrappers.allSatisfy { !$0.log.isEmpty && !$0.hasCrashed })
    }
}

/// A store that breaks exactly one rule, to prove the suite notices each kind of mistake.
final class RuleBreakingStore: ObjectStore {
    enum Rule: CaseIterable, Sendable {
        case keepsMismatchedContent, readsPastTheEnd, listsTwice, overwritesConfig, forgivesMissingDelete
        case refusesRepeatedPut, loseConcurrentWrites
    }

    private let objects = Mutex<[ObjectKey: [UInt8]]>([:])
    private let broken: Rule

    init(breaking rule: Rule) { broken = rule }

    func put(_ key: ObjectKey, _ bytes: [UInt8]) throws {
        if key.kind.isContentAddressed, broken != .keepsMismatchedContent, ReferenceSHA256.hex(bytes) != key.name {
            throw ObjectStoreError(.hashMismatch, key: key, message: "mismatch")
        }
        if broken == .loseConcurrentWrites { usleep(2_000) }
        let error: ObjectStoreError? = objects.withLock { objects in
            if let existing = objects[key] {
                if broken == .refusesRepeatedPut { return ObjectStoreError(.alreadyExists, key: key, message: "exists") }
                if key.kind == .config && existing != bytes && broken != .overwritesConfig {
                    return ObjectStoreError(.alreadyExists, key: key, message: "different config")
                }
            }
            objects[key] = bytes
            return nil
        }
        if let error { throw error }
        if broken == .loseConcurrentWrites, key.kind == .data {
            // Every writer replaces the whole map with only its own object, as a racy read-modify-write would.
            objects.withLock { objects in objects = objects.filter { $0.key == key || $0.key.kind != .data } }
        }
    }

    func get(_ key: ObjectKey) throws -> [UInt8] {
        guard let bytes = objects.withLock({ $0[key] }) else {
            throw ObjectStoreError(.notFound, key: key, message: "missing")
        }
        return bytes
    }

    func get(_ key: ObjectKey, range: Range<Int>) throws -> [UInt8] {
        let bytes = try get(key)
        if broken == .readsPastTheEnd {
            return Array(bytes[min(max(range.lowerBound, 0), bytes.count)..<min(max(range.upperBound, 0), bytes.count)])
        }
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else {
            throw ObjectStoreError(.rangeNotSatisfiable, key: key, message: "outside")
        }
        return Array(bytes[range])
    }

    func head(_ key: ObjectKey) throws -> ObjectInfo { ObjectInfo(key: key, size: try get(key).count) }

    func list(_ kind: ObjectKind) throws -> [ObjectInfo] {
        let listed = objects.withLock { $0.filter { $0.key.kind == kind }.map { ObjectInfo(key: $0.key, size: $0.value.count) } }
        return broken == .listsTwice ? listed + listed.prefix(1) : listed
    }

    func delete(_ key: ObjectKey) throws {
        let removed = objects.withLock { $0.removeValue(forKey: key) }
        if removed == nil && broken != .forgivesMissingDelete {
            throw ObjectStoreError(.notFound, key: key, message: "missing")
        }
    }
}

@Suite("The conformance suite catches broken stores")
struct ConformanceCatchesTests {
    @Test("each broken rule fails the check that covers it", arguments: [
        (RuleBreakingStore.Rule.keepsMismatchedContent, ObjectStoreConformance.Check.hashMismatch),
        (.readsPastTheEnd, .ranges),
        (.listsTwice, .listing),
        (.overwritesConfig, .configWriteOnce),
        (.forgivesMissingDelete, .deleteMissing),
        (.refusesRepeatedPut, .idempotentPut),
        (.loseConcurrentWrites, .concurrentDifferentPuts),
    ])
    func brokenRuleIsCaught(rule: RuleBreakingStore.Rule, check: ObjectStoreConformance.Check) {
        let conformance = ObjectStoreConformance { RuleBreakingStore(breaking: rule) }
        do {
            try conformance.run(check)
            Issue.record("the \(check) check passed a store that breaks \(rule)")
        } catch let failure as ConformanceFailure {
            #expect(failure.name == check.rawValue)
            #expect(failure.description.contains(check.rawValue))
        } catch {
            Issue.record("expected a ConformanceFailure, got \(error)")
        }
    }

    @Test("runAll stops at the first failing check and names it")
    func runAllNamesFirstFailure() {
        do {
            try ObjectStoreConformance { RuleBreakingStore(breaking: .listsTwice) }.runAll()
        } catch let failure as ConformanceFailure {
            #expect(failure.name == ObjectStoreConformance.Check.listing.rawValue)
            return
        } catch {
            Issue.record("expected a ConformanceFailure, got \(error)")
        }
        Issue.record("runAll passed a store that lists objects twice")
    }
}
