import Crypto
import FileIO
import Glibc

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

/// Writes envelopes into one pack file in a staging directory until it is full, so a pack in progress costs no
/// memory. The store names the finished file by its hash as it takes it. One per writer thread.
final class PackBuilder {
    let targetSize: Int
    let directory: String
    private var fd: Int32 = -1
    private var path = ""
    private(set) var count = 0
    private(set) var entries: [PackEntry] = []

    init(targetSize: Int, directory: String) {
        self.targetSize = targetSize
        self.directory = directory
    }

    deinit { discard() }

    var isEmpty: Bool { entries.isEmpty }
    var isFull: Bool { count >= targetSize }

    /// Appends one sealed envelope; the pack file is created with the first one.
    func append(_ envelope: UnsafeRawBufferPointer, type: BlobType, id: BlobID, rawLength: Int) throws {
        try write(envelope)
        entries.append(PackEntry(type: type, id: id, offset: UInt32(count - envelope.count), length: UInt32(envelope.count),
                                 rawLength: UInt32(rawLength)))
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws {
        do {
            if fd < 0 { (fd, path) = try FileIO.createTemporaryFile(in: directory, mode: 0o600) }
            try FileIO.writeAll(fd: fd, bytes, path: path)
        } catch {
            discard()
            let advice = error.isNoSpace ? "; the disk holding \(directory) is full" : ""
            throw RepositoryError(.storage, "cannot write a pack in progress: \(error)\(advice)")
        }
        count += bytes.count
    }

    /// Appends the sealed header and trailer, closes the file, and hands it over (path, entries, size);
    /// the builder is empty again afterwards.
    func finish(sealer: EnvelopeSealer) throws -> (path: String, entries: [PackEntry], size: Int) {
        let header = try sealer.sealObject(PackHeader.encode(entries), compressor: nil)
        try header.withUnsafeBytes { try write($0) }
        try withUnsafeBytes(of: UInt32(header.count).littleEndian) { try write($0) }
        let closed = close(fd)
        fd = -1
        let finished = (path: path, entries: entries, size: count)
        path = ""
        entries = []
        count = 0
        guard closed == 0 else {
            unlink(finished.path)
            throw RepositoryError(.storage, "cannot write a pack in progress: \(SystemError.current("close", path: finished.path))")
        }
        return finished
    }

    /// Drops the pack in progress and its file.
    func discard() {
        guard fd >= 0 else { return }
        close(fd)
        unlink(path)
        fd = -1
        entries = []
        count = 0
    }
}
