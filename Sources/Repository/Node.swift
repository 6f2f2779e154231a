/// One entry of a directory as a recovery point keeps it: everything Linux records about a file.

/// The kind of a file system entry (the same numbering as the tree format).
public enum NodeKind: UInt8, Sendable, Codable {
    case regular = 1, directory, symlink, fifo, socket, characterDevice, blockDevice
}

/// An extended attribute; POSIX ACLs are the attributes `system.posix_acl_access` and `system.posix_acl_default`.
public struct ExtendedAttribute: Sendable, Equatable, Hashable {
    public var name: [UInt8]
    public var value: [UInt8]

    public init(name: [UInt8], value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

/// A hole in a sparse file: a range that holds no data and is not stored.
public struct Hole: Sendable, Equatable, Hashable {
    public var offset: UInt64
    public var length: UInt64

    public init(offset: UInt64, length: UInt64) {
        self.offset = offset
        self.length = length
    }
}

/// A file, directory, link or special file in a tree.
public struct Node: Sendable, Equatable {
    /// The raw name bytes; not necessarily UTF-8, never containing "/" or NUL.
    public var name: [UInt8]
    public var kind: NodeKind
    public var mode: UInt32 = 0
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    public var user: [UInt8] = []
    public var group: [UInt8] = []
    public var mtimeSeconds: Int64 = 0
    public var mtimeNanoseconds: UInt32 = 0
    public var ctimeSeconds: Int64 = 0
    public var ctimeNanoseconds: UInt32 = 0
    public var size: UInt64 = 0
    public var inode: UInt64 = 0
    public var device: UInt64 = 0
    public var links: UInt64 = 0
    public var rdev: UInt64 = 0
    public var linkTarget: [UInt8] = []
    public var xattrs: [ExtendedAttribute] = []
    public var content: [BlobID] = []
    public var holes: [Hole] = []
    public var subtree: BlobID?

    public init(name: [UInt8], kind: NodeKind) {
        self.name = name
        self.kind = kind
    }

    /// The name for messages: UTF-8 when it is, with other bytes escaped as \xNN.
    public var displayName: String { Node.display(name) }

    /// A form of `bytes` safe to print: valid UTF-8 stays readable; control characters, backslashes, quotes and
    /// bytes that are not UTF-8 become `\xNN`, so two different names never print the same.
    public static func display(_ bytes: [UInt8]) -> String {
        var result = ""
        result.reserveCapacity(bytes.count)
        if let text = String(validating: bytes, as: UTF8.self) {
            for scalar in text.unicodeScalars {
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\\" || scalar == "\"" {
                    result += escaped(UInt8(scalar.value))
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        } else {
            for byte in bytes {
                if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\"), byte != UInt8(ascii: "\"") {
                    result.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    result += escaped(byte)
                }
            }
        }
        return result
    }

    private static func escaped(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".unicodeScalars)
        var text = "\\x"
        text.unicodeScalars.append(digits[Int(byte >> 4)])
        text.unicodeScalars.append(digits[Int(byte & 0x0F)])
        return text
    }

    /// The byte ranges of a regular file that hold data: `[0, size)` without the holes.
    public var dataRanges: [Range<UInt64>] {
        var ranges: [Range<UInt64>] = []
        var position: UInt64 = 0
        for hole in holes {
            if hole.offset > position { ranges.append(position..<hole.offset) }
            position = max(position, hole.offset + hole.length)
        }
        if position < size { ranges.append(position..<size) }
        return ranges
    }
}
