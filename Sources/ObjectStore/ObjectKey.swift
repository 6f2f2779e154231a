/// The validated name of one object: its kind and its name within that kind.
public struct ObjectKey: Hashable, Sendable, CustomStringConvertible {
    public let kind: ObjectKind
    public let name: String

    /// Validates `name` for `kind`: config objects must be named "config"; every other kind is named by
    /// 64 lowercase hexadecimal characters, which also rules out "/", "..", NUL and empty names.
    public init(_ kind: ObjectKind, _ name: String) throws(ObjectStoreError) {
        guard Self.isValid(name, for: kind) else {
            let expected = kind == .config ? "the name \"config\"" : "64 lowercase hexadecimal characters"
            throw ObjectStoreError(
                .invalidName,
                message: "invalid object name \(String(reflecting: name)) for kind \(kind.rawValue): expected \(expected)"
            )
        }
        self.kind = kind
        self.name = name
    }

    /// The config object's key.
    public static let config = try! ObjectKey(.config, "config")

    /// Whether `name` is a valid name for `kind`, without building a key (used to skip foreign files in listings).
    public static func isValid(_ name: String, for kind: ObjectKind) -> Bool {
        if kind == .config { return name == "config" }
        let utf8 = name.utf8
        return utf8.count == 64 && utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Throws `invalidName` unless objects of `kind` are named by their content (so a store can name a file itself).
    static func requireContentAddressed(_ kind: ObjectKind, forFileAt path: String) throws(ObjectStoreError) {
        guard kind.isContentAddressed else {
            throw ObjectStoreError(
                .invalidName,
                message: "a \(kind.rawValue) object is not named by its content, so the file \(path) cannot be stored under "
                    + "its hash; store it under its own name with put(_:fileAt:)")
        }
    }

    /// "kind/name", e.g. "data/4f2a…"; the full name, so messages can be matched to files.
    public var description: String { "\(kind.rawValue)/\(name)" }
}

/// An object's key and size in bytes, as `head` and `list` report it.
public struct ObjectInfo: Sendable, Equatable {
    public let key: ObjectKey
    public let size: Int

    public init(key: ObjectKey, size: Int) {
        self.key = key
        self.size = size
    }
}
