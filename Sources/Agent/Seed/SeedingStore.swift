/// SeedingStore is the object store of an offline seed job: writes go to the seed folder on the seeding disk, reads
/// fall through to the vault, and the recovery point's commit is kept for the manifest (docs/offline-seeding.md).
import Crypto
import FileIO
import Foundation
import ObjectStore
import VaultProtocol

/// Objects a backup writes (`keys`, `data`, `index`, `recovery-points`) land in `seed`, a filesystem layout; reads find
/// them there first, then in `vault` (the repository's config and key slots, packs of other items); listings are
/// the union. Locks and the config are the vault's. `commitRecoveryPoint` commits nothing: it records the commit
/// request, which the vault makes when it imports the seed.
///
/// `@unchecked Sendable` is safe: the only mutable state, the recorded commit, is touched under `lock`; both stores
/// are `Sendable`.
public final class SeedingStore: RecoveryPointCommitting, @unchecked Sendable {
    public let seed: FilesystemStore
    let vault: any ObjectStore
    private let lock = NSLock()
    private var commit: CommitRecoveryPointRequest?

    static let hasher: @Sendable ([UInt8]) -> String = { Hex.encode(SHA256.hash($0)) }

    /// Opens the seed folder `folder` (creating its layout when needed) in front of `vault`.
    public init(folder: String, vault: any ObjectStore) throws {
        let store: FilesystemStore
        do {
            store = FileIO.exists(folder + "/index") ? try FilesystemStore(root: folder, hasher: Self.hasher)
                : try FilesystemStore.create(root: folder, hasher: Self.hasher)
        } catch {
            throw AgentError(.io, "cannot write the offline seed in \(folder): \(error); check that the seeding disk is mounted "
                + "and writable, or choose another staging folder on Schedule backup")
        }
        seed = store
        self.vault = vault
    }

    /// The commit the backup asked for, once it stored its recovery point.
    public var recordedCommit: CommitRecoveryPointRequest? { lock.withLock { commit } }

    static func isSeeded(_ kind: ObjectKind) -> Bool { kind != .config && kind != .locks }

    public func put(_ key: ObjectKey, _ bytes: [UInt8]) throws {
        try Self.isSeeded(key.kind) ? seed.put(key, bytes) : vault.put(key, bytes)
    }

    public func put(_ key: ObjectKey, fileAt path: String) throws {
        try Self.isSeeded(key.kind) ? seed.put(key, fileAt: path) : vault.put(key, fileAt: path)
    }

    public func put(_ kind: ObjectKind, namingFileAt path: String) throws -> String {
        try Self.isSeeded(kind) ? seed.put(kind, namingFileAt: path) : vault.put(kind, namingFileAt: path)
    }

    public var stagingDirectory: String? { seed.stagingDirectory }

    public var parallelUploads: Int { 1 }

    public func get(_ key: ObjectKey) throws -> [UInt8] {
        try fromSeedOrVault(key) { try $0.get(key) }
    }

    public func get(_ key: ObjectKey, range: Range<Int>) throws -> [UInt8] {
        try fromSeedOrVault(key) { try $0.get(key, range: range) }
    }

    public func head(_ key: ObjectKey) throws -> ObjectInfo {
        try fromSeedOrVault(key) { try $0.head(key) }
    }

    public func openReader(_ key: ObjectKey) throws -> any ObjectReader {
        try fromSeedOrVault(key) { try $0.openReader(key) }
    }

    public func list(_ kind: ObjectKind) throws -> [ObjectInfo] {
        var seen = Set<String>()
        return try (seed.list(kind) + vault.list(kind)).filter { seen.insert($0.key.name).inserted }
    }

    public func delete(_ key: ObjectKey) throws {
        try Self.isSeeded(key.kind) ? seed.delete(key) : vault.delete(key)
    }

    public func commitRecoveryPoint(object: ObjectKey, item: BackupItem, time: String, size: Int64, retainUntil: String?,
                                    references: [ObjectKey]) throws {
        guard let wholeTime = Self.wholeSeconds(time) else {
            throw ObjectStoreError(.io, key: object, message: "the recovery point's time \"\(time)\" is not RFC 3339 in UTC")
        }
        let request = CommitRecoveryPointRequest(
            object: object.name, item: BackupItemRef(kind: item.kind, name: item.name), time: wholeTime, size: size,
            retainUntil: retainUntil.flatMap(Self.wholeSeconds), references: references.map(\.description).sorted())
        lock.withLock { commit = request }
    }

    /// "2026-12-03T01:58:12.345Z" → "2026-12-03T01:58:12Z": the vault keeps whole seconds.
    static func wholeSeconds(_ text: String) -> String? { Timestamp.parse(text).map(Timestamp.formatSeconds) }

    private func fromSeedOrVault<T>(_ key: ObjectKey, _ body: (any ObjectStore) throws -> T) throws -> T {
        guard Self.isSeeded(key.kind) else { return try body(vault) }
        do { return try body(seed) } catch let error as ObjectStoreError where error.code == .notFound {
            return try body(vault)
        }
    }
}
