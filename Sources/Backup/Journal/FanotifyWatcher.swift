/// FanotifyWatcher watches whole filesystems with fanotify and tells which directories changed: the raw material of
/// the change journal that lets a backup scan only those directories (optimized mode).
import FileIO
#if canImport(Glibc)
import Glibc
#endif

/// Reads fanotify events for whole filesystems (`FAN_MARK_FILESYSTEM` with directory reporting, Linux 5.9+,
/// root) and turns them into the set of directories whose listing, or an entry's content or metadata, changed.
///
/// Only directories at or below a watched path are reported: a filesystem is watched whole, but the rest of it is
/// none of the journal's business. Every event names a directory, without the entry's name (so the kernel merges a
/// folder's events into one); that directory is reported. An event about a directory itself (its mode, owner, times)
/// also reports its parent, whose listing holds that metadata: see `ownChange`. A directory that cannot be
/// resolved any more (deleted meanwhile) is counted in `unresolved`: its parent's own delete event covers it.
/// Queue overflow is reported, since after it nothing can be trusted until the next full scan.
///
/// A directory is reported once between two marks: after it is first resolved, an ignore mark (`IgnoreMarks`) asks the
/// kernel to drop further events about the files in it, which would only report it again. A backup that takes its
/// mark of the journal must therefore read through `pollForMark`, which removes those marks after reading, so every
/// change after the mark is reported again. A change dropped before that removal was in a directory already
/// reported since the previous mark, which the starting backup lists.
///
/// Not thread-safe: one thread polls. `@unchecked Sendable` so that thread may be another than the creator's.
public final class FanotifyWatcher: @unchecked Sendable {
    /// What one poll found.
    public struct Changes: Sendable, Equatable {
        /// Absolute paths of directories that changed, as they are named now.
        public var directories: Set<String> = []
        /// The kernel's event queue overflowed: events were lost.
        public var overflowed = false
        /// Events whose directory no longer exists.
        public var unresolved = 0
        /// Events read.
        public var events = 0

        public init() {}
    }

    /// fanotify cannot run here, and why, in words for the job's mode reason.
    public struct Unavailable: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    private let descriptor: Int32
    /// Per watched filesystem (by its fsid), a descriptor inside it for open_by_handle_at.
    private var mounts: [UInt64: Int32] = [:]
    private var buffer = [UInt8](repeating: 0, count: 256 * 1024)
    /// The watched paths, without trailing slashes.
    public private(set) var roots: Set<String> = []
    /// Directory handles resolved to paths: a busy directory sends many events, and resolving a handle costs two
    /// system calls. Kept across polls until a directory is renamed or removed anywhere on a watched filesystem
    /// (which can change what any handle's path is), and at most `resolvedLimit` entries, so memory stays bounded.
    private var resolved: [HandleKey: String?] = [:]
    static let resolvedLimit = 65_536
    /// The previous event's handle and directory: consecutive events mostly name the same directory, so it is
    /// recognised without building a key.
    private var lastKey: [UInt8] = []
    private var lastDirectory: String?
    private var ignoreMarks: IgnoreMarks
    /// Events that change where directories are (with `onDirectory`): any cached path may be stale after one.
    private static let directoryMoved = FanotifyCalls.movedFrom | FanotifyCalls.movedTo | FanotifyCalls.delete
    /// Events that, with `onDirectory`, are about the named directory itself, whose own entry its parent's listing holds.
    /// Without names this is told by the mask alone: a directory's metadata change names the directory itself (a
    /// file's names its parent, without `onDirectory`). The mask may be several merged events of that directory, e.g.
    /// a subdirectory made in it and its own chmod; the parent is then reported too, which costs a listing at most.
    private static let ownChange = FanotifyCalls.attrib | FanotifyCalls.modify | FanotifyCalls.closeWrite

    /// Directories under an ignore mark now (see `IgnoreMarks`); 0 before Linux 6.0.
    public var ignoredDirectories: Int { ignoreMarks.count }

    /// How long ignore marks stay before a poll removes them all (seconds; 30 unless the caller says otherwise).
    /// A mark saves the kernel's work on every write, create and remove in its directory, but costs on every read and
    /// open of the files in it (the kernel then looks at the parent for each event, watched or not), so a directory
    /// that stopped changing should not keep it until the next backup. A busy directory is marked again at its next
    /// event; a change is never lost by the removal, only reported again.
    public var ignoreMarkLifetime: Double = 30

    /// Starts a fanotify group; throws `Unavailable` on a kernel without directory reporting or without root.
    /// - Parameter ignoreMarkLimit: how many reported directories at most get an ignore mark between two marks (nil: 32,768
    ///   or a quarter of fs.fanotify.max_user_marks; 0: none, every event is read).
    public init(ignoreMarkLimit: Int? = nil) throws(Unavailable) {
        guard let initialize = FanotifyCalls.initialize, FanotifyCalls.mark != nil, FanotifyCalls.openByHandle != nil else {
            throw Unavailable(description: "this C library has no fanotify")
        }
        // A bounded queue (fs.fanotify.max_queued_events): a reader that falls behind gets an overflow, which the
        // journal turns into a gap (the next backup is unoptimized), rather than kernel memory without bound.
        let flags = FanotifyCalls.classNotify | FanotifyCalls.cloexec | FanotifyCalls.nonblock | FanotifyCalls.reportDirectoryFID
        let fd = initialize(flags, UInt32(O_RDONLY))
        guard fd >= 0 else {
            let reason = switch errno {
            case EPERM: "fanotify needs root (CAP_SYS_ADMIN)"
            case EINVAL: "this kernel's fanotify cannot report directories (Linux 5.9 or later is needed)"
            case ENOSYS: "this kernel has no fanotify"
            default: "fanotify_init failed: \(String(cString: strerror(errno)))"
            }
            throw Unavailable(description: reason)
        }
        descriptor = fd
        ignoreMarks = IgnoreMarks(limit: ignoreMarkLimit ?? IgnoreMarks.defaultLimit())
    }

    deinit {
        close(descriptor)
        for fd in mounts.values { close(fd) }
    }

    /// Whether `directory` is `root` or below it.
    public static func isWithin(_ directory: String, _ root: String) -> Bool {
        root == "/" || directory == root || directory.hasPrefix(root + "/")
    }

    /// Watches the whole filesystem that holds `path` (every mount of it), reporting changes at or below `path`.
    public func watch(filesystemAt path: String) throws(Unavailable) {
        let root = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        var info = statvfs()
        guard statvfs(path, &info) == 0 else {
            throw Unavailable(description: "cannot watch \(path): \(String(cString: strerror(errno)))")
        }
        // glibc folds statfs's two-int fsid into statvfs's f_fsid as val[0] | val[1] << 32: the little-endian
        // reading of the 8 bytes fanotify reports.
        let fsid = UInt64(info.f_fsid)
        guard mounts[fsid] == nil else {
            roots.insert(root)
            return
        }
        let marked = FanotifyCalls.mark!(descriptor, FanotifyCalls.markAdd | FanotifyCalls.markFilesystem,
                                         FanotifyCalls.watchedEvents, AT_FDCWD, path)
        guard marked == 0 else {
            let reason = errno == EXDEV || errno == ENODEV || errno == EOPNOTSUPP
                ? "the filesystem of \(path) cannot be watched whole (it has no stable file handles)"
                : "fanotify_mark of \(path) failed: \(String(cString: strerror(errno)))"
            throw Unavailable(description: reason)
        }
        let mountFD = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard mountFD >= 0 else { throw Unavailable(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        mounts[fsid] = mountFD
        roots.insert(root)
    }

    /// Waits up to `timeoutMilliseconds` for events to be queued, without reading them; true when some are. Safe to
    /// call from any thread, also while another calls `watch` (it touches only the descriptor).
    public func waitForEvents(timeoutMilliseconds: Int32) -> Bool {
        var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&waiting, 1, timeoutMilliseconds) > 0
    }

    /// Like `waitForEvents`, but also returns early when `other` becomes readable (a request the caller serves); true
    /// only when fanotify events are queued.
    public func waitForEvents(timeoutMilliseconds: Int32, orReadable other: Int32) -> Bool {
        var waiting = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0), pollfd(fd: other, events: Int16(POLLIN), revents: 0)]
        return Glibc.poll(&waiting, 2, timeoutMilliseconds) > 0 && waiting[0].revents != 0
    }

    /// Reads every event queued now, waiting up to `timeoutMilliseconds` for the first one.
    public func poll(timeoutMilliseconds: Int32 = 0) -> Changes {
        var changes = Changes()
        // Removing marks only lets events through again, so a refusal here loses nothing: the marks just stay.
        if ignoreMarks.expired(lifetime: ignoreMarkLifetime) { _ = ignoreMarks.removeAll(group: descriptor) }
        // Each poll's set starts empty, so the previous event's directory must be inserted again.
        lastKey.removeAll(keepingCapacity: true)
        var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard Glibc.poll(&waiting, 1, timeoutMilliseconds) > 0 else { return changes }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            buffer.withUnsafeBytes { bytes in
                let events = UnsafeRawBufferPointer(rebasing: bytes[0..<count])
                // Resolved after every directory move read so far, paths are as they are named now.
                if Self.movesDirectory(events) || resolved.count > Self.resolvedLimit { forgetResolved() }
                parse(events, into: &changes)
            }
        }
        changes.directories = changes.directories.filter { directory in roots.contains { Self.isWithin(directory, $0) } }
        return changes
    }

    /// Reads every event queued now, then removes the ignore marks: what a backup taking its mark of the journal now
    /// must record, after which every change is reported again. The two steps must not be separated by another poll:
    /// a directory reported and marked in between would hide a later change from the next backup.
    public func pollForMark(timeoutMilliseconds: Int32 = 0) -> Changes {
        var changes = poll(timeoutMilliseconds: timeoutMilliseconds)
        // Marks that stay would hide changes the next backup must see: as good as lost events.
        if !ignoreMarks.removeAll(group: descriptor) { changes.overflowed = true }
        return changes
    }

    private func forgetResolved() {
        resolved.removeAll(keepingCapacity: true)
        lastKey.removeAll(keepingCapacity: true)
    }

    /// Whether a batch of events renames or removes a directory.
    private static func movesDirectory(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset + FanotifyCalls.metadataSize <= bytes.count {
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
            if mask & FanotifyCalls.onDirectory != 0 && mask & directoryMoved != 0 { return true }
            guard length > 0 else { return true }
            offset += length
        }
        return false
    }

    private func parse(_ bytes: UnsafeRawBufferPointer, into changes: inout Changes) {
        var offset = 0
        while offset + FanotifyCalls.metadataSize <= bytes.count {
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            let version = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt8.self)
            let metadataLength = Int(bytes.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self))
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
            let fd = bytes.loadUnaligned(fromByteOffset: offset + 16, as: Int32.self)
            guard length >= metadataLength, metadataLength >= FanotifyCalls.metadataSize, offset + length <= bytes.count,
                  version == FanotifyCalls.metadataVersion else { break }
            if fd >= 0 { close(fd) }
            changes.events += 1
            if mask & FanotifyCalls.queueOverflow != 0 { changes.overflowed = true }
            var info = offset + metadataLength
            while info + 4 <= offset + length {
                let type = bytes[info]
                let infoLength = Int(bytes.loadUnaligned(fromByteOffset: info + 2, as: UInt16.self))
                guard infoLength >= 4, info + infoLength <= offset + length else { break }
                if type == FanotifyCalls.infoDirectoryFID || type == FanotifyCalls.infoFID {
                    record(UnsafeRawBufferPointer(rebasing: bytes[(info + 4)..<(info + infoLength)]), mask: mask,
                           into: &changes)
                }
                info += infoLength
            }
            offset += length
        }
    }

    /// One `fanotify_event_info_fid` body: fsid (8 bytes), then a directory's `struct file_handle`.
    private func record(_ body: UnsafeRawBufferPointer, mask: UInt64, into changes: inout Changes) {
        guard body.count >= 16 else { return }
        let fsid = body.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        let handleBytes = Int(body.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard let mountFD = mounts[fsid], 16 + handleBytes <= body.count else {
            changes.unresolved += 1
            return
        }
        let keyBytes = UnsafeRawBufferPointer(rebasing: body[0..<(16 + handleBytes)])
        let directory: String?
        if !lastKey.isEmpty, lastKey.count == keyBytes.count,
           lastKey.withUnsafeBytes({ memcmp($0.baseAddress!, keyBytes.baseAddress!, keyBytes.count) == 0 }) {
            directory = lastDirectory
        } else {
            let key = HandleKey(bytes: Array(keyBytes))
            let hash = key.hashValue
            let ignore = ignoreMarks.wants(hash)
            // fanotify_mark refuses an O_PATH descriptor, which is enough (and cheaper) to resolve a path only.
            let mode = ignore ? O_RDONLY | O_DIRECTORY : FanotifyCalls.openPath
            var fd: Int32 = -1
            if let known = resolved[key] {
                directory = known
            } else {
                fd = Self.openDirectory(body, handleBytes: handleBytes, in: mountFD, mode: mode)
                directory = fd >= 0 ? Self.path(of: fd) : nil
                resolved[key] = directory
            }
            if directory != nil, ignore {
                if fd < 0 { fd = Self.openDirectory(body, handleBytes: handleBytes, in: mountFD, mode: mode) }
                if fd >= 0 { ignoreMarks.add(group: descriptor, directory: fd, key: hash) }
            }
            if fd >= 0 { close(fd) }
            lastKey = key.bytes
            lastDirectory = directory
            if let directory { changes.directories.insert(directory) }
        }
        guard let directory else {
            changes.unresolved += 1
            return
        }
        // An event on the directory itself changes its own entry, which its parent's listing holds.
        let isOwnChange = mask & FanotifyCalls.onDirectory != 0 && mask & Self.ownChange != 0
        if isOwnChange, directory != "/", let slash = directory.lastIndex(of: "/") {
            changes.directories.insert(slash == directory.startIndex ? "/" : String(directory[..<slash]))
        }
    }

    /// Opens the directory a `fanotify_event_info_fid` body names; -1 when it is gone.
    private static func openDirectory(_ body: UnsafeRawBufferPointer, handleBytes: Int, in mountFD: Int32, mode: Int32) -> Int32 {
        var handle = Array(body[8..<(16 + handleBytes)])
        return handle.withUnsafeMutableBytes { FanotifyCalls.openByHandle!(mountFD, $0.baseAddress, mode | O_CLOEXEC) }
    }

    /// The path a descriptor names now, from /proc/self/fd; nil when it was deleted.
    static func path(of fd: Int32) -> String? {
        var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/fd/\(fd)", &target, target.count - 1)
        guard length > 0 else { return nil }
        let path = String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.hasSuffix(" (deleted)") ? nil : path
    }
}

/// An fsid and a file handle as a dictionary key, hashed as one block of bytes (an array of bytes hashes byte by byte,
/// which showed in the journal's profile).
private struct HandleKey: Hashable {
    let bytes: [UInt8]

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
