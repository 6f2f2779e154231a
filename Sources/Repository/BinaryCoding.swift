/// Little-endian fixed-width integers and LEB128 varints: the byte-level vocabulary of packs, indexes and trees.

/// Appends encoded values to a byte array.
struct ByteWriter {
    var bytes: [UInt8]

    init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func append(_ byte: UInt8) { bytes.append(byte) }

    mutating func append<C: Collection>(contentsOf data: C) where C.Element == UInt8 {
        bytes.append(contentsOf: data)
    }

    mutating func appendUInt32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func appendUInt64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func appendUVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func appendSVarint(_ value: Int64) {
        appendUVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// A uvarint length followed by the bytes.
    mutating func appendBytes(_ data: [UInt8]) {
        appendUVarint(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    mutating func append(_ id: BlobID) { id.append(to: &bytes) }
}

/// Reads encoded values from a byte buffer, throwing `FormatError` instead of reading past the end.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    let what: String

    init(_ bytes: [UInt8], offset: Int = 0, what: String) {
        self.bytes = bytes
        self.offset = offset
        self.what = what
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset == bytes.count }

    private func need(_ count: Int) throws(FormatError) {
        if count < 0 || count > remaining { throw FormatError("\(what) is truncated at byte \(offset)") }
    }

    mutating func readByte() throws(FormatError) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readBytes(count: Int) throws(FormatError) -> [UInt8] {
        try need(count)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func readUInt32() throws(FormatError) -> UInt32 {
        try need(4)
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return value
    }

    mutating func readUVarint() throws(FormatError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            if shift == 63 && byte > 1 { throw FormatError("\(what) has an oversized varint at byte \(offset)") }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    mutating func readSVarint() throws(FormatError) -> Int64 {
        let raw = try readUVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A count that must fit what is left, so a corrupt count cannot ask for a huge allocation.
    mutating func readCount(elementSize: Int) throws(FormatError) -> Int {
        let count = try readUVarint()
        guard count <= UInt64(remaining / max(elementSize, 1)) else {
            throw FormatError("\(what) declares \(count) entries but holds only \(remaining) bytes")
        }
        return Int(count)
    }

    mutating func readLengthPrefixed() throws(FormatError) -> [UInt8] {
        let count = try readCount(elementSize: 1)
        return try readBytes(count: count)
    }

    mutating func readBlobID() throws(FormatError) -> BlobID {
        try need(32)
        defer { offset += 32 }
        return BlobID(bytes, at: offset)
    }
}

/// Bytes that do not follow the format: a corrupt or foreign object.
public struct FormatError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
