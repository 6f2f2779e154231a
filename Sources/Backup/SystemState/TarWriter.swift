/// TarWriter owns writing POSIX tar archives (ustar headers, pax extended headers where ustar's fields are too
/// small): regular files, directories and symbolic links, streamed to a sink.

/// Writes a tar stream. Not Sendable: one writer per archive, used from one thread.
public final class TarWriter {
    /// What a header says about an entry besides its name.
    public struct Metadata: Sendable {
        public var mode: UInt32
        public var uid: UInt32 = 0
        public var gid: UInt32 = 0
        public var user: [UInt8] = []
        public var group: [UInt8] = []
        /// Seconds since 1970.
        public var mtime: Int64

        public init(mode: UInt32, uid: UInt32 = 0, gid: UInt32 = 0, user: [UInt8] = [], group: [UInt8] = [], mtime: Int64) {
            self.mode = mode
            self.uid = uid
            self.gid = gid
            self.user = user
            self.group = group
            self.mtime = mtime
        }
    }

    private let sink: (UnsafeRawBufferPointer) throws -> Void
    /// Bytes of the current file still to come, and the padding after them.
    private var remaining: UInt64 = 0
    private var padding = 0
    private var finished = false

    public init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.sink = sink
    }

    public func addDirectory(_ path: [UInt8], _ metadata: Metadata) throws {
        try header(path, type: UInt8(ascii: "5"), size: 0, linkTarget: [], metadata)
    }

    public func addSymlink(_ path: [UInt8], target: [UInt8], _ metadata: Metadata) throws {
        try header(path, type: UInt8(ascii: "2"), size: 0, linkTarget: target, metadata)
    }

    /// A whole regular file from memory.
    public func addFile(_ path: [UInt8], _ contents: [UInt8], _ metadata: Metadata) throws {
        try beginFile(path, size: UInt64(contents.count), metadata)
        try contents.withUnsafeBytes { try write($0) }
        try endFile()
    }

    /// Starts a regular file of `size` bytes; `write` then gives exactly that many, and `endFile` closes it.
    public func beginFile(_ path: [UInt8], size: UInt64, _ metadata: Metadata) throws {
        try header(path, type: UInt8(ascii: "0"), size: size, linkTarget: [], metadata)
        remaining = size
        padding = Int((512 - size % 512) % 512)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard UInt64(bytes.count) <= remaining else {
            throw SystemStateError("a file of the archive got more bytes than its header declared; the archive is abandoned")
        }
        remaining -= UInt64(bytes.count)
        try sink(bytes)
    }

    public func endFile() throws {
        guard remaining == 0 else {
            throw SystemStateError("a file of the archive ended \(remaining) bytes short of its declared size; the archive is abandoned")
        }
        try zeros(padding)
        padding = 0
    }

    /// Two zero blocks: the end of the archive.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try zeros(1024)
    }

    private func zeros(_ count: Int) throws {
        guard count > 0 else { return }
        try emit([UInt8](repeating: 0, count: count))
    }

    private func header(_ path: [UInt8], type: UInt8, size: UInt64, linkTarget: [UInt8], _ metadata: Metadata) throws {
        guard remaining == 0, padding == 0, !finished else {
            throw SystemStateError("an archive entry was started before the previous file was complete")
        }
        guard !path.isEmpty, !path.contains(0), !linkTarget.contains(0) else {
            throw SystemStateError("an archive entry has an empty name or a name with a NUL byte")
        }
        // Names, sizes, ids and times ustar cannot hold go in a pax extended header before the entry.
        var pax: [(String, [UInt8])] = []
        if path.count > 100 { pax.append(("path", path)) }
        if linkTarget.count > 100 { pax.append(("linkpath", linkTarget)) }
        if size > 0o77777777777 { pax.append(("size", Array("\(size)".utf8))) }
        if metadata.uid > 0o7777777 { pax.append(("uid", Array("\(metadata.uid)".utf8))) }
        if metadata.gid > 0o7777777 { pax.append(("gid", Array("\(metadata.gid)".utf8))) }
        if metadata.user.count > 31 { pax.append(("uname", metadata.user)) }
        if metadata.group.count > 31 { pax.append(("gname", metadata.group)) }
        if metadata.mtime < 0 || metadata.mtime > 0o77777777777 { pax.append(("mtime", Array("\(metadata.mtime)".utf8))) }
        if !pax.isEmpty {
            var records: [UInt8] = []
            for (key, value) in pax { records += Self.paxRecord(key, value) }
            let name = Array("PaxHeaders/".utf8) + Array((path.split(separator: UInt8(ascii: "/")).last ?? []).prefix(80))
            try emit(block(name, type: UInt8(ascii: "x"), size: UInt64(records.count), linkTarget: [], Metadata(mode: 0o644, mtime: 0)))
            try emit(records)
            try zeros((512 - records.count % 512) % 512)
        }
        try emit(block(path, type: type, size: size, linkTarget: linkTarget, metadata))
    }

    /// "LENGTH key=value\n", LENGTH counting itself.
    static func paxRecord(_ key: String, _ value: [UInt8]) -> [UInt8] {
        let body = Array(" \(key)=".utf8) + value + [0x0A]
        var length = body.count + 1
        while String(length).utf8.count + body.count != length { length = String(length).utf8.count + body.count }
        return Array(String(length).utf8) + body
    }

    private func block(_ path: [UInt8], type: UInt8, size: UInt64, linkTarget: [UInt8], _ metadata: Metadata) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ bytes: [UInt8], at offset: Int, width: Int) {
            for (index, byte) in bytes.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: UInt64, at offset: Int, width: Int) {
            let limit: UInt64 = (1 << (3 * UInt64(width - 1))) - 1
            let digits = String(min(value, limit), radix: 8)
            put(Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8), at: offset, width: width - 1)
        }
        put(path, at: 0, width: 100)
        octal(UInt64(metadata.mode & 0o7777), at: 100, width: 8)
        octal(UInt64(metadata.uid), at: 108, width: 8)
        octal(UInt64(metadata.gid), at: 116, width: 8)
        octal(size, at: 124, width: 12)
        octal(UInt64(clamping: max(0, metadata.mtime)), at: 136, width: 12)
        block[156] = type
        put(linkTarget, at: 157, width: 100)
        put(Array("ustar\u{0}00".utf8), at: 257, width: 8)
        put(metadata.user, at: 265, width: 31)
        put(metadata.group, at: 297, width: 31)
        for index in 148..<156 { block[index] = 0x20 }
        let sum = block.reduce(0) { $0 + UInt64($1) }
        octal(sum, at: 148, width: 7)
        block[154] = 0
        block[155] = 0x20
        return block
    }

    private func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try sink($0) }
    }
}
