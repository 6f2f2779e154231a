import FileIO
import Glibc
import Repository

/// A directory shared by the restore workers: they create files relative to its descriptor.
/// `@unchecked Sendable`: the descriptor is only used for *at calls, which are safe from any thread.
final class SharedDirectory: @unchecked Sendable {
    let directory: Directory
    let components: [[UInt8]]
    /// Created by this restore: nothing can exist in it yet that was not put there by the restore.
    let isNew: Bool

    init(_ directory: consuming Directory, components: [[UInt8]], isNew: Bool) {
        self.directory = directory
        self.components = components
        self.isNew = isNew
    }

    var displayPath: String { "/" + components.map { FileName.printable($0) }.joined(separator: "/") }
}

/// One regular file to write, and what happened. Filled by one worker, read after the pool finished.
final class RestoreJob: @unchecked Sendable {
    let parent: SharedDirectory
    let name: [UInt8]
    let node: Node
    var warning: String?
    var written: UInt64 = 0

    init(parent: SharedDirectory, name: [UInt8], node: Node) {
        self.parent = parent
        self.name = name
        self.node = node
    }

    var displayPath: String { parent.displayPath + "/" + FileName.printable(name) }
}

/// Files handed to a worker together, so the queue is touched once per batch rather than once per file.
final class RestoreBatch: @unchecked Sendable {
    var jobs: [RestoreJob] = []
    var bytes: UInt64 = 0

    static let maxFiles = 64
    static let maxBytes: UInt64 = 8 << 20

    var isFull: Bool { jobs.count >= Self.maxFiles || bytes >= Self.maxBytes }
}

/// A worker thread's file writer: creates the file (never through a symlink), writes its data regions, sets metadata.
final class FileRestorer: PoolWorker {
    private let reader: BlobReader
    private let restorePermissions: Bool
    private let umask: UInt32
    private let isRoot: Bool
    private let progress: RestoreProgress?

    init(reader: BlobReader, restorePermissions: Bool, umask: UInt32, progress: RestoreProgress?) {
        self.reader = reader
        self.progress = progress
        self.restorePermissions = restorePermissions
        self.umask = umask
        isRoot = geteuid() == 0
    }

    func process(_ batch: RestoreBatch) throws {
        for job in batch.jobs {
            // A cancelled restore leaves the rest of the batch unwritten; the restorer reports the cancel.
            if progress?.isCancelled == true {
                job.warning = "not restored: the restore was cancelled"
                continue
            }
            progress?.started(job.displayPath)
            restore(job)
            if job.warning == nil { progress?.finishedFile() }
        }
    }

    private func restore(_ job: RestoreJob) {
        let parent = job.parent
        let fd: Int32
        do { fd = try parent.directory.createFile(job.name, exclusive: true) } catch {
            job.warning = "not restored: \(error)"
            return
        }
        do {
            try write(job, fd: fd)
        } catch {
            close(fd)
            try? parent.directory.remove(job.name)
            job.warning = "not restored: \(error)"
            return
        }
        do {
            try Self.metadata(of: job.node, permissions: restorePermissions, umask: umask, isRoot: isRoot)
                .apply(toOpenFile: fd, path: job.displayPath)
        } catch {
            job.warning = "restored, but its metadata could not be set: \(error)"
        }
        close(fd)
    }

    func finish() throws {}

    private func write(_ job: RestoreJob, fd: Int32) throws {
        let node = job.node
        // A sparse file gets its size first: its holes stay holes because nothing is written there.
        if !node.holes.isEmpty {
            try FileIO.call("ftruncate", path: job.displayPath) { ftruncate(fd, off_t(node.size)) }
        }
        var ranges = node.dataRanges.makeIterator()
        var current = ranges.next()
        var position = current?.lowerBound ?? 0
        for id in node.content {
            try reader.withBlob(id) { data in
                var offset = 0
                while offset < data.count {
                    guard let range = current else {
                        throw RepositoryError(.corrupt, "the recovery point holds more data than the file's size \(node.size)")
                    }
                    let room = Int(range.upperBound - position)
                    let count = min(room, data.count - offset)
                    try Self.pwriteAll(fd: fd, UnsafeRawBufferPointer(rebasing: data[offset..<offset + count]), at: position, path: job)
                    offset += count
                    position += UInt64(count)
                    job.written += UInt64(count)
                    progress?.wrote(bytes: count)
                    if position == range.upperBound {
                        current = ranges.next()
                        position = current?.lowerBound ?? position
                    }
                }
            }
        }
        if current != nil && !(node.content.isEmpty && node.size == 0) {
            throw RepositoryError(.corrupt, "the recovery point holds less data than the file's size \(node.size)")
        }
    }

    static func pwriteAll(fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: UInt64, path job: RestoreJob) throws {
        var done = 0
        while done < buffer.count {
            let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError.current("write", path: job.displayPath)
            }
            done += n
        }
    }

    static func metadata(of node: Node, permissions: Bool, umask: UInt32, isRoot: Bool) -> RestoreMetadata {
        var metadata = RestoreMetadata(mtimeSeconds: node.mtimeSeconds, mtimeNanoseconds: node.mtimeNanoseconds)
        if permissions {
            if isRoot {
                metadata.uid = node.uid
                metadata.gid = node.gid
            }
            metadata.mode = node.kind == .symlink ? nil : node.mode
            metadata.xattrs = isRoot ? node.xattrs : node.xattrs.filter { $0.name.starts(with: Array("user.".utf8)) }
        } else if node.kind != .symlink {
            // As a newly created entry would be: the process umask applied to 0666 (files) or 0777 (directories).
            metadata.mode = (node.kind == .directory ? 0o777 : 0o666) & ~umask
        }
        return metadata
    }
}
