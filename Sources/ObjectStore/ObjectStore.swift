/// ObjectStore is where objects live: a small write-once interface whose rules live here, and its implementations.
///
/// The rules every implementation must follow (restic-style; `ObjectStoreConformance` checks them):
/// - Objects are write-once: once stored, an object's bytes never change until it is deleted.
/// - Content-addressed kinds (all but `config` and `locks`) are named by the lowercase hex SHA-256 of their bytes;
///   a store verifies this on `put` and keeps nothing when it does not hold.
/// - Writes are atomic: a reader sees either no object or the whole object, never a part.
/// - A `put` that returns has made the object durable (it survives a crash of the machine).
/// - `get` does not re-hash what it returns; verifying stored content is the job of a check that
///   re-hashes, so a flipped bit on disk is found there, not on every read.
/// - Every failure is an `ObjectStoreError`.
import Crypto
import FileIO
#if canImport(Glibc)
import Glibc
#endif

public protocol ObjectStore: Sendable {
    /// Stores `bytes` under `key`, atomically (readers never see a partial object) and durably.
    ///
    /// Content-addressed kinds must verify SHA-256(bytes) == key.name and refuse with `hashMismatch`, keeping nothing.
    /// Write-once: if the object already exists, put returns without writing (idempotent);
    /// for config it throws `alreadyExists` if the existing content differs.
    /// Concurrent puts of the same key are safe and all succeed.
    func put(_ key: ObjectKey, _ bytes: [UInt8]) throws

    /// The whole object; `notFound` if it does not exist.
    func get(_ key: ObjectKey) throws -> [UInt8]

    /// A byte range of the object; `rangeNotSatisfiable` if the range is not inside it.
    /// An empty range at any offset from 0 to the size (inclusive) is inside and returns no bytes.
    func get(_ key: ObjectKey, range: Range<Int>) throws -> [UInt8]

    /// The object's size; `notFound` if it does not exist.
    func head(_ key: ObjectKey) throws -> ObjectInfo

    /// Every object of `kind`, in no particular order; temporary and foreign files are never listed.
    func list(_ kind: ObjectKind) throws -> [ObjectInfo]

    /// Removes the object; `notFound` if it does not exist.
    func delete(_ key: ObjectKey) throws
    /// A local directory where a writer may stage an object as a file for `put(_:fileAt:)` so the store can
    /// take it without copying (the filesystem store's own `tmp/`); nil when there is none.
    var stagingDirectory: String? { get }
    /// Stores the content of a local file under `key`, with the same rules as `put(_:_:)`. The file is removed
    /// whether the put succeeds or not.
    func put(_ key: ObjectKey, fileAt path: String) throws
    /// Stores a local file as an object of the content-addressed `kind`, named by the SHA-256 of its content, which
    /// the store computes as it takes the file, and returns that name: one pass over the bytes, where a writer that
    /// named the file itself and a store that verifies the name make two. The same rules as `put(_:fileAt:)`; a
    /// kind that is not content-addressed is refused with `invalidName`. The file is removed in every case.
    func put(_ kind: ObjectKind, namingFileAt path: String) throws -> String
    /// How many uploads a writer should run at once: 1 for a local disk, more where each put waits on a network.
    var parallelUploads: Int { get }
    /// Opens an object for many ranged reads (a restore reading blob after blob of one pack), so the store
    /// need not find the object again for each; the same rules as `get(_:range:)`.
    func openReader(_ key: ObjectKey) throws -> any ObjectReader
}

/// An object opened for ranged reads; released when no longer referenced.
public protocol ObjectReader: AnyObject {
    func read(_ range: Range<Int>) throws -> [UInt8]
}

/// Ranged reads through `get(_:range:)`, for stores with nothing to keep open.
final class RangedGetReader: ObjectReader {
    let store: any ObjectStore
    let key: ObjectKey

    init(store: any ObjectStore, key: ObjectKey) {
        self.store = store
        self.key = key
    }

    func read(_ range: Range<Int>) throws -> [UInt8] { try store.get(key, range: range) }
}

extension ObjectStore {
    public var stagingDirectory: String? { nil }

    public var parallelUploads: Int { 1 }

    public func openReader(_ key: ObjectKey) throws -> any ObjectReader { RangedGetReader(store: self, key: key) }

    /// Reads the file and stores its bytes: for stores that cannot take a file as it is.
    public func put(_ key: ObjectKey, fileAt path: String) throws {
        defer { _ = path.withCString { unlink($0) } }
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(path) } catch {
            throw ObjectStoreError(.io, key: key, message: "cannot read the staged file \(path) for \(key): \(error)")
        }
        try put(key, bytes)
    }

    public func put(_ kind: ObjectKind, namingFileAt path: String) throws -> String {
        try readAndPut(kind, namingFileAt: path)
    }

    /// Reads the file, names it by its hash and stores its bytes: for stores that cannot take a file as it is.
    public func readAndPut(_ kind: ObjectKind, namingFileAt path: String) throws -> String {
        defer { _ = path.withCString { unlink($0) } }
        try ObjectKey.requireContentAddressed(kind, forFileAt: path)
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(path) } catch {
            throw ObjectStoreError(.io, key: nil, message: "cannot read the staged file \(path) for a \(kind) object: \(error)")
        }
        let name = Hex.encode(SHA256.hash(bytes))
        try put(ObjectKey(kind, name), bytes)
        return name
    }
}
