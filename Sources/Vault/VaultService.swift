import Crypto
import FileIO
import Foundation
import ObjectStore
import SQLiteDB

/// The vault service: every operation on vaults, machines and their data, over one SQLite database and
/// one `FilesystemStore` per machine under `DATA/objects/<vault>/<machine>/`.
///
/// `@unchecked Sendable` is safe: the mutable state is the database (whose `Database` serializes every
/// use behind its own lock and whose write transactions serialize the service's read-check-write steps)
/// and the store cache, touched only under `storesLock`. Stores themselves are `Sendable` and stateless
/// beyond their root. Operations that must not interleave with garbage collection (recording an uploaded
/// object) do their check inside a write transaction, where GC also deletes.
public final class VaultService: @unchecked Sendable {
    public let configuration: VaultConfiguration
    /// The service's clock; domain code never reads the time itself.
    public let clock: @Sendable () -> Date
    let database: Database
    let signingKey: HMACSHA256
    private let storesLock = NSLock()
    private var stores: [String: FilesystemStore] = [:]

    static let hasher: @Sendable ([UInt8]) -> String = { Hex.encode(SHA256.hash($0)) }

    /// Opens (creating if needed) the vault in `configuration.dataDirectory` and brings its schema up to date.
    public init(configuration: VaultConfiguration, clock: @escaping @Sendable () -> Date) throws {
        self.configuration = configuration
        self.clock = clock
        let directory = configuration.dataDirectory
        do {
            try FileIO.makeDirectories(directory + "/objects", mode: 0o700)
        } catch {
            throw VaultError(.internalError, "cannot create the vault's data directory \(directory): \(error); "
                + "check that the path is right and writable by this user")
        }
        database = try Database(path: directory + "/vault.sqlite")
        try VaultSchema.migrator.migrate(database)
        let key = try database.write { transaction -> [UInt8] in
            try transaction.execute("INSERT OR IGNORE INTO settings (name, value) VALUES ('signing_key', ?)",
                                    [.blob(SecureRandom.bytes(32))])
            return try transaction.query("SELECT value FROM settings WHERE name = 'signing_key'")[0].get("value")
        }
        signingKey = HMACSHA256(key: SecretBytes(key))
    }

    /// Now, truncated to whole seconds as the database keeps it.
    var now: Int64 { VaultTime.seconds(clock()) }

    /// The object store of one machine, created on first use.
    func store(vault: String, machine: String) throws -> FilesystemStore {
        try storesLock.withLock {
            if let store = stores[machine] { return store }
            let root = configuration.dataDirectory + "/objects/\(vault)/\(machine)"
            let store: FilesystemStore
            do {
                store = FileIO.exists(root)
                    ? try FilesystemStore(root: root, hasher: Self.hasher, now: { Int(VaultTime.seconds(self.clock())) })
                    : try FilesystemStore.create(root: root, hasher: Self.hasher)
            } catch {
                throw Self.mapped(error)
            }
            stores[machine] = store
            return store
        }
    }

    /// Turns a storage or database failure into a `VaultError` (a full disk into `insufficientStorage`).
    static func mapped(_ error: Error) -> VaultError {
        switch error {
        case let error as VaultError: return error
        case let error as ObjectStoreError:
            switch error.code {
            case .noSpace:
                return VaultError(.insufficientStorage, "the vault's disk is full; nothing was kept. "
                    + "Free space on the vault host (or wait for garbage collection), then retry")
            case .hashMismatch: return VaultError(.hashMismatch, error.message)
            case .notFound: return VaultError(.notFound, error.message)
            case .rangeNotSatisfiable: return VaultError(.rangeNotSatisfiable, error.message)
            case .invalidName: return VaultError(.invalidRequest, error.message)
            case .alreadyExists:
                return VaultError(.alreadyExists, "a different config object is already stored for this machine; "
                    + "a config is written once: open the existing repository instead of creating a new one")
            default: return VaultError(.internalError, "the vault's storage failed: \(error.message)")
            }
        case let error as SQLiteError where error.code == .diskFull:
            return VaultError(.insufficientStorage, "the vault's disk is full (its database cannot grow); "
                + "nothing was changed. Free space on the vault host, then retry")
        default:
            return VaultError(.internalError, "the vault failed: \(error)")
        }
    }

    /// Runs `body`, turning every failure into a `VaultError`.
    func mapping<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw Self.mapped(error) }
    }

    /// 16 random bytes as 32 lowercase hex characters: vault, machine and lease ids.
    static func newId() -> String { Hex.encode(SecureRandom.bytes(16)) }

    /// 32 random bytes, base64url without padding (43 characters): secrets and registration keys.
    static func newSecret() -> String { base64url(SecureRandom.bytes(32)) }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func isId(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
