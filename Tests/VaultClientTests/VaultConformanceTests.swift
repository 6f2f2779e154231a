import Foundation
import ObjectStore
import ObjectStoreTesting
import Testing
import VaultClient

@Suite("VaultObjectStore against the real vault on loopback")
struct VaultConformanceTests {
    /// A machine credential can never destroy: the two deletion checks are replaced by `deletesOnlyLocks`.
    static let checks = ObjectStoreConformance.Check.allCases.filter { $0 != .deleteThenGet && $0 != .deleteMissing }

    /// The vault lists a recovery point only once it is committed, so each is committed right after its put,
    /// as the engine does.
    @Test("VaultObjectStore passes every conformance check the vault's rules allow", arguments: checks)
    func conformance(check: ObjectStoreConformance.Check) throws {
        let vault = try LoopbackVault()
        var machines = 0
        try ObjectStoreConformance(makeStore: {
            machines += 1
            return CommittingOnPut(try vault.store("machine-\(machines)"))
        }, hasher: LoopbackVault.hasher).run(check)
    }

    @Test("a stored but uncommitted recovery point is not listed; once committed it is")
    func uncommittedPointsAreHidden() throws {
        let vault = try LoopbackVault()
        let store = try vault.store("web-01")
        let bytes = Array("a sealed recovery point".utf8)
        let key = try ObjectKey(.recoveryPoints, LoopbackVault.hasher(bytes))
        try store.put(key, bytes)
        #expect(try store.list(.recoveryPoints).isEmpty)
        #expect(try store.get(key) == bytes)
        try store.commitRecoveryPoint(object: key, item: .filesAndFolders, time: "2026-11-24T18:00:00.123456789Z", size: 5,
                                      retainUntil: nil, references: [])
        #expect(try store.list(.recoveryPoints).map(\.key) == [key])
    }

    @Test("the conformance round trip also passes over HTTPS with the vault's pinned key")
    func conformanceOverHTTPS() throws {
        let vault = try LoopbackVault(https: true)
        #expect(vault.address.hasPrefix("https://"))
        try ObjectStoreConformance(makeStore: { try vault.store("secure") }, hasher: LoopbackVault.hasher).run(.roundTrip)
    }

    @Test("a key other than the pinned one is refused at once, without retries, naming the pin")
    func wrongPinIsRefused() throws {
        let vault = try LoopbackVault(https: true)
        var credential = try vault.register("secure")
        credential.publicKeySHA256 = Data(repeating: 7, count: 32).base64EncodedString()
        let store = vault.session(credential).objectStore()
        vault.recorder.reset()
        let error = #expect(throws: ObjectStoreError.self) { try store.list(.data) }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("pinned") == true, "\(String(describing: error))")
        #expect(store.statistics.retries == 0)
        #expect(vault.recorder.entries.isEmpty)
    }

    @Test("deleting data is refused with the vault's reason; a lock can be deleted and is then gone")
    func deletesOnlyLocks() throws {
        let vault = try LoopbackVault()
        let store = try vault.store("web-01")
        let bytes = Array("pack".utf8)
        let data = try ObjectKey(.data, LoopbackVault.hasher(bytes))
        try store.put(data, bytes)
        let refused = #expect(throws: ObjectStoreError.self) { try store.delete(data) }
        #expect(refused?.code == .permissionDenied)
        #expect(refused?.message.contains("the vault refused to delete \(data)") == true, "\(String(describing: refused))")
        #expect(try store.get(data) == bytes)

        let lock = try ObjectKey(.locks, LoopbackVault.hasher(Array("lock".utf8)))
        try store.put(lock, Array("held by web-01".utf8))
        try store.delete(lock)
        #expect(throws: ObjectStoreError.self) { try store.get(lock) }
        let missing = #expect(throws: ObjectStoreError.self) { try store.delete(lock) }
        #expect(missing?.code == .notFound)
    }
}

/// A vault store whose recovery points are committed as soon as they are stored, as the engine commits them.
final class CommittingOnPut: ObjectStore {
    let inner: VaultObjectStore

    init(_ inner: VaultObjectStore) { self.inner = inner }

    func put(_ key: ObjectKey, _ bytes: [UInt8]) throws {
        try inner.put(key, bytes)
        if key.kind == .recoveryPoints {
            try inner.commitRecoveryPoint(object: key, item: .filesAndFolders, time: "2026-11-24T18:00:00Z", size: Int64(bytes.count),
                                          retainUntil: nil, references: [])
        }
    }

    func get(_ key: ObjectKey) throws -> [UInt8] { try inner.get(key) }
    func get(_ key: ObjectKey, range: Range<Int>) throws -> [UInt8] { try inner.get(key, range: range) }
    func head(_ key: ObjectKey) throws -> ObjectInfo { try inner.head(key) }
    func list(_ kind: ObjectKind) throws -> [ObjectInfo] { try inner.list(kind) }
    func delete(_ key: ObjectKey) throws { try inner.delete(key) }
    func openReader(_ key: ObjectKey) throws -> any ObjectReader { try inner.openReader(key) }
}
