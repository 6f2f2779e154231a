import FileIO
import Glibc
import Repository

/// A worker thread's file reader: opens, chunks and stores one regular file, and notices if it changes meanwhile.
final class FileSaver: PoolWorker {
    private let writer: BlobWriter
    private let reader: ChunkReader
    /// How often a file that changes while being read is read again before the backup keeps what it got.
    static let attempts = 2

    private let progress: BackupProgress?

    init(writer: BlobWriter, chunker: Chunker, progress: BackupProgress?) {
        self.progress = progress
        self.writer = writer
        reader = ChunkReader(chunker: chunker)
    }

    func process(_ batch: FileBatch) throws {
        for slot in batch.slots {
            try progress?.checkCancelled()
            progress?.startedReading(slot.path)
            try save(slot)
            // The walker may write the directory's tree as soon as its last slot is done.
            slot.markDone()
        }
    }

    private func save(_ slot: FileSlot) throws {
        let fd: Int32
        do {
            fd = try openForReading(slot.readPath ?? slot.path)
        } catch {
            slot.failed = true
            slot.warning = error.code == ENOENT ? "vanished before it could be read" : "not backed up: \(error)"
            return
        }
        defer { close(fd) }
        for attempt in 1...Self.attempts {
            let before: FileStatus
            do { before = try FileStatus(fd: fd) } catch {
                slot.failed = true
                slot.warning = "not backed up: \(error)"
                return
            }
            Self.update(&slot.node, from: before)
            do { slot.node.xattrs = try ExtendedAttribute.all(fd: fd) } catch {
                slot.warning = "extended attributes not saved: \(error)"
            }
            var content: [BlobID] = []
            let ranges = dataRanges(fd: fd, status: before)
            var changed = false
            do {
                try reader.chunks(fd: fd, ranges: ranges.map { Int($0.lowerBound)..<Int($0.upperBound) }) { chunk, _ in
                    progress?.read(bytes: chunk.count)
                    content.append(try writer.save(chunk, type: .data))
                }
            } catch let error as ChunkReadError where error.code == .fileChanged {
                changed = true
            } catch let error as ChunkReadError {
                slot.failed = true
                slot.warning = "not backed up: \(error)"
                return
            }
            let after = (try? FileStatus(fd: fd)) ?? before
            changed = changed || after.size != before.size || after.mtimeSeconds != before.mtimeSeconds
                || after.mtimeNanoseconds != before.mtimeNanoseconds || after.ctimeSeconds != before.ctimeSeconds
                || after.ctimeNanoseconds != before.ctimeNanoseconds
            if changed && attempt < Self.attempts {
                lseek(fd, 0, SEEK_SET)
                continue
            }
            slot.node.content = content
            slot.node.holes = Self.holes(size: before.size, dataRanges: ranges)
            if changed {
                // The recorded times are those from before the read, so the next backup reads it again.
                slot.warning = "changed while it was being read; the recovery point may hold a mix of old and new content"
            }
            return
        }
    }

    func finish() throws { try writer.flush() }

    private func openForReading(_ path: [UInt8]) throws(SystemError) -> Int32 {
        let cPath = path.map { CChar(bitPattern: $0) } + [0]
        let flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY
        let fd = cPath.withUnsafeBufferPointer { Glibc.open($0.baseAddress!, flags | LinuxCalls.openNoAccessTime) }
        if fd >= 0 { return fd }
        if errno != EPERM { throw SystemError.current("open", path: FileName.printable(path)) }
        // O_NOATIME is allowed only to the file's owner (or root); read it without.
        return try FileIO.call("open", path: FileName.printable(path)) {
            cPath.withUnsafeBufferPointer { Glibc.open($0.baseAddress!, flags) }
        }
    }

    /// The data regions of the file: the whole size unless it occupies fewer blocks than its size (sparse).
    private func dataRanges(fd: Int32, status: FileStatus) -> [Range<UInt64>] {
        guard status.size > 0 else { return [] }
        if status.blocks * 512 >= status.size { return [0..<status.size] }
        return (try? SparseFile.dataRanges(fd: fd, size: status.size)) ?? [0..<status.size]
    }

    static func holes(size: UInt64, dataRanges: [Range<UInt64>]) -> [Hole] {
        var holes: [Hole] = []
        var position: UInt64 = 0
        for range in dataRanges {
            if range.lowerBound > position { holes.append(Hole(offset: position, length: range.lowerBound - position)) }
            position = range.upperBound
        }
        if position < size { holes.append(Hole(offset: position, length: size - position)) }
        return holes
    }

    static func update(_ node: inout Node, from status: FileStatus) {
        node.mode = status.mode
        node.uid = status.uid
        node.gid = status.gid
        node.size = status.size
        node.inode = status.inode
        node.device = status.device
        node.links = status.linkCount
        node.mtimeSeconds = status.mtimeSeconds
        node.mtimeNanoseconds = status.mtimeNanoseconds
        node.ctimeSeconds = status.ctimeSeconds
        node.ctimeNanoseconds = status.ctimeNanoseconds
    }
}
