import ObjectStore
import Synchronization

/// An ObjectStore in memory, following every rule of the protocol, for fast tests of the layers above.
public final class MemoryStore: ObjectStore {
    private let objects = Mutex<[ObjectKey: [UInt8]]>([:])
    private let hasher: @Sendable ([UInt8]) -> String

    /// `hasher` returns the lowercase hex SHA-256 used to verify content-addressed names.
    public init(hasher: @escaping @Sendable ([UInt8]) -> String = ReferenceSHA256.hex) {
        self.hasher = hasher
    }

    public func put(_ key: ObjectKey, _ bytes: [UInt8]) throws(ObjectStoreError) {
        if key.kind.isContentAddressed, hasher(bytes) != key.name {
            throw ObjectStoreError(.hashMismatch, key: key, message: "refused to store \(key): its content does not hash to its name")
        }
        let conflict = objects.withLock { objects in
            if let existing = objects[key] { return key.kind == .config && existing != bytes }
            objects[key] = bytes
            return false
        }
        if conflict {
            throw ObjectStoreError(.alreadyExists, key: key, message: "a different config already exists")
        }
    }

    public func get(_ key: ObjectKey) throws(ObjectStoreError) -> [UInt8] {
        guard let bytes = objects.withLock({ $0[key] }) else { throw notFound(key) }
        return bytes
    }

    public func get(_ key: ObjectKey, range: Range<Int>) throws(ObjectStoreError) -> [UInt8] {
        let bytes = try get(key)
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else {
            throw ObjectStoreError(.rangeNotSatisfiable, key: key, message: "\(range) is outside \(key) (\(bytes.count) bytes)")
        }
        return Array(bytes[range])
    }

    public func head(_ key: ObjectKey) throws(ObjectStoreError) -> ObjectInfo {
        ObjectInfo(key: key, size: try get(key).count)
    }

    public func list(_ kind: ObjectKind) throws(ObjectStoreError) -> [ObjectInfo] {
        objects.withLock { objects in
            objects.filter { $0.key.kind == kind }.map { ObjectInfo(key: $0.key, size: $0.value.count) }
        }
    }

    public func delete(_ key: ObjectKey) throws(ObjectStoreError) {
        guard objects.withLock({ $0.removeValue(forKey: key) }) != nil else { throw notFound(key) }
    }

    private func notFound(_ key: ObjectKey) -> ObjectStoreError {
        ObjectStoreError(.notFound, key: key, message: "object \(key) does not exist in the memory store")
    }
}
