/// The binary layout of `index` objects: a pack table, then one entry per blob.
enum IndexFile {
    static let magic = Array("HVIX".utf8)
    static let entrySize = 49

    static func encode(_ packs: [(pack: String, entries: [PackEntry])]) -> [UInt8] {
        let total = packs.reduce(0) { $0 + $1.entries.count }
        var writer = ByteWriter(capacity: 13 + packs.count * 32 + total * entrySize)
        writer.append(contentsOf: magic)
        writer.append(1)
        writer.appendUInt32(UInt32(packs.count))
        for (pack, _) in packs {
            writer.append(BlobID(hex: pack)!)
        }
        writer.appendUInt32(UInt32(total))
        for (number, (_, entries)) in packs.enumerated() {
            for entry in entries {
                writer.append(entry.id)
                writer.append(entry.type.rawValue)
                writer.appendUInt32(UInt32(number))
                writer.appendUInt32(entry.offset)
                writer.appendUInt32(entry.length)
                writer.appendUInt32(entry.rawLength)
            }
        }
        return writer.bytes
    }

    static func decode(_ plaintext: [UInt8], name: String) throws(FormatError) -> [(pack: String, entries: [PackEntry])] {
        var reader = ByteReader(plaintext, what: "index \(name.prefix(16))")
        guard try reader.readBytes(count: 4) == magic, try reader.readByte() == 1 else {
            throw FormatError("index \(name.prefix(16)) is not in a known format")
        }
        let packCount = Int(try reader.readUInt32())
        guard packCount * 32 <= reader.remaining else { throw FormatError("index \(name.prefix(16)) is truncated") }
        var packs: [(pack: String, entries: [PackEntry])] = []
        packs.reserveCapacity(packCount)
        for _ in 0..<packCount { packs.append((try reader.readBlobID().hex, [])) }
        let count = Int(try reader.readUInt32())
        guard count * entrySize == reader.remaining else {
            throw FormatError("index \(name.prefix(16)) declares \(count) entries but holds \(reader.remaining) bytes")
        }
        for _ in 0..<count {
            let id = try reader.readBlobID()
            guard let type = BlobType(rawValue: try reader.readByte()) else {
                throw FormatError("index \(name.prefix(16)) lists a blob of unknown type")
            }
            let number = Int(try reader.readUInt32())
            guard number < packs.count else { throw FormatError("index \(name.prefix(16)) names pack #\(number) of \(packs.count)") }
            let offset = try reader.readUInt32()
            let length = try reader.readUInt32()
            let rawLength = try reader.readUInt32()
            packs[number].entries.append(PackEntry(type: type, id: id, offset: offset, length: length, rawLength: rawLength))
        }
        return packs
    }
}
