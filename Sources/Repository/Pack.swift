/// Pack files: blobs back to back, then an encrypted header listing them, then the header's length.

/// One blob in a pack.
public struct PackEntry: Sendable, Equatable {
    public var type: BlobType
    public var id: BlobID
    /// Where the blob's envelope starts in the pack.
    public var offset: UInt32
    /// The envelope's length.
    public var length: UInt32
    /// The plaintext's length.
    public var rawLength: UInt32
}

enum PackHeader {
    static let magic = Array("HVPH".utf8)
    static let entrySize = 41
    /// The trailer: the header envelope's length as uint32 LE.
    static let trailerSize = 4

    static func encode(_ entries: [PackEntry]) -> [UInt8] {
        var writer = ByteWriter(capacity: 9 + entries.count * entrySize)
        writer.append(contentsOf: magic)
        writer.append(1)
        writer.appendUInt32(UInt32(entries.count))
        for entry in entries {
            writer.append(entry.type.rawValue)
            writer.append(entry.id)
            writer.appendUInt32(entry.length)
            writer.appendUInt32(entry.rawLength)
        }
        return writer.bytes
    }

    /// Parses a header's plaintext; offsets are recomputed from the lengths and must end where the header begins.
    static func decode(_ plaintext: [UInt8], headerOffset: Int, pack: String) throws(FormatError) -> [PackEntry] {
        var reader = ByteReader(plaintext, what: "the header of pack \(pack.prefix(16))")
        guard try reader.readBytes(count: 4) == magic, try reader.readByte() == 1 else {
            throw FormatError("pack \(pack.prefix(16)) has a header of unknown format")
        }
        let count = Int(try reader.readUInt32())
        guard count * entrySize == reader.remaining else {
            throw FormatError("pack \(pack.prefix(16)) declares \(count) blobs but its header holds \(reader.remaining) bytes")
        }
        var entries: [PackEntry] = []
        entries.reserveCapacity(count)
        var offset = 0
        for _ in 0..<count {
            guard let type = BlobType(rawValue: try reader.readByte()) else {
                throw FormatError("pack \(pack.prefix(16)) lists a blob of unknown type")
            }
            let id = try reader.readBlobID()
            let length = try reader.readUInt32()
            let rawLength = try reader.readUInt32()
            entries.append(PackEntry(type: type, id: id, offset: UInt32(offset), length: length, rawLength: rawLength))
            offset += Int(length)
        }
        guard offset == headerOffset else {
            throw FormatError("pack \(pack.prefix(16)): its blobs end at \(offset) but its header starts at \(headerOffset)")
        }
        return entries
    }
}

/// Collects envelopes into one pack in memory until it is full. One per writer thread.
final class PackBuilder {
    private(set) var bytes: [UInt8] = []
    private(set) var entries: [PackEntry] = []
    let targetSize: Int

    init(targetSize: Int) {
        self.targetSize = targetSize
    }

    var isEmpty: Bool { entries.isEmpty }
    var isFull: Bool { bytes.count >= targetSize }
    var count: Int { bytes.count }

    /// Appends an envelope that the caller has already sealed into `bytes` starting at `start`.
    func recordBlob(type: BlobType, id: BlobID, start: Int, rawLength: Int) {
        entries.append(PackEntry(type: type, id: id, offset: UInt32(start), length: UInt32(bytes.count - start),
                                 rawLength: UInt32(rawLength)))
    }

    /// Gives the closure the buffer to append an envelope to. The buffer is reserved at the first blob,
    /// so a writer that never stores anything holds no memory.
    func withBuffer<R>(_ body: (inout [UInt8]) throws -> R) rethrows -> R {
        if bytes.capacity == 0 { bytes.reserveCapacity(targetSize + targetSize / 8) }
        return try body(&bytes)
    }

    /// Drops everything after `start` (a blob that failed verification).
    func truncate(to start: Int) { bytes.removeSubrange(start...) }

    /// Appends the sealed header and trailer and hands back the finished pack, leaving the builder empty.
    func finish(sealer: EnvelopeSealer) throws -> (bytes: [UInt8], entries: [PackEntry]) {
        let header = try sealer.sealObject(PackHeader.encode(entries), compressor: nil)
        bytes.append(contentsOf: header)
        withUnsafeBytes(of: UInt32(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        defer {
            bytes = []
            entries = []
        }
        return (bytes, entries)
    }
}
