/// IgnoreMarks keeps a watcher's fanotify ignore marks: once a directory has been reported, the kernel drops further
/// events in it, before allocating them, until a backup takes its mark of the journal; their number is bounded.
import FileIO
#if canImport(Glibc)
import Glibc
#endif

/// The directories a watcher asked the kernel to stop reporting since the last backup's mark.
///
/// An ignore mark is an evictable inode mark on the directory with `FAN_MARK_IGNORE` (Linux 6.0) and the mask
/// `FanotifyCalls.ignoredEvents`, without `FAN_ONDIR`: the directory's own attribute change, move or removal, and
/// subdirectories made, moved or removed in it, still arrive, so the directories that hold those entries are still
/// recorded. The legacy `FAN_MARK_IGNORED_MASK` would drop a directory's own events too, so it is not used; before
/// Linux 6.0 no mark is added and every event arrives, as without this type.
///
/// Bounded: after `limit` directories (tried, marked or not), or once the kernel refuses more marks
/// (fs.fanotify.max_user_marks), none is added until `removeAll`; events keep arriving, which is slower but as correct.
/// An evicted mark (memory pressure) likewise only lets events through again.
struct IgnoreMarks {
    /// At most this many directories are tried between two removals.
    let limit: Int
    /// Hashes of the handle keys tried since the last removal. A collision only leaves a directory without a mark.
    private var tried: Set<Int> = []
    /// Marks the kernel accepted since the last removal.
    private(set) var count = 0
    private var full = false
    /// False once the kernel refused `FAN_MARK_IGNORE` (before Linux 6.0) or the limit is 0.
    private(set) var supported: Bool
    /// When (monotonic seconds) the oldest mark still in place was added; nil while there is none.
    private(set) var markedSince: Double?

    /// The bound when the caller gives none: 32,768 directories, or a quarter of the kernel's per-user mark limit,
    /// so other fanotify users of root keep most of it.
    static func defaultLimit() -> Int {
        let kernel = (try? FileIO.readFile("/proc/sys/fs/fanotify/max_user_marks"))
            .flatMap { Int(String(decoding: $0, as: UTF8.self).filter(\.isNumber)) }
        return min(32_768, kernel.map { $0 / 4 } ?? 32_768)
    }

    init(limit: Int) {
        self.limit = max(0, limit)
        supported = limit > 0
    }

    /// Whether a mark for the directory with this key should be tried now.
    func wants(_ key: Int) -> Bool { supported && !full && !tried.contains(key) }

    /// Asks the kernel to drop further events in the directory `fd` names (opened for reading: O_PATH is refused).
    mutating func add(group: Int32, directory fd: Int32, key: Int) {
        tried.insert(key)
        if tried.count >= limit { full = true }
        let flags = FanotifyCalls.markAdd | FanotifyCalls.markIgnore | FanotifyCalls.markIgnoredSurviveModify
            | FanotifyCalls.markEvictable
        guard let mark = FanotifyCalls.mark else { return }
        if mark(group, flags, FanotifyCalls.ignoredEvents, fd, nil) == 0 {
            count += 1
            if markedSince == nil { markedSince = Self.now() }
            return
        }
        switch errno {
        case EINVAL: supported = false  // no FAN_MARK_IGNORE or FAN_MARK_EVICTABLE on this kernel
        case ENOSPC, ENOMEM: full = true  // fs.fanotify.max_user_marks reached
        default: break  // this directory only (removed meanwhile): its events keep arriving
        }
    }

    /// Removes every ignore mark, so every change from now on is reported again. False when the kernel refused: the
    /// caller must treat that as lost events.
    mutating func removeAll(group: Int32) -> Bool {
        guard !tried.isEmpty else { return true }
        tried.removeAll(keepingCapacity: true)
        count = 0
        full = false
        markedSince = nil
        // FAN_MARK_FLUSH without MOUNT or FILESYSTEM removes the group's inode marks, and the ignore marks are the
        // only inode marks a watcher has (it watches filesystems with filesystem marks).
        guard let mark = FanotifyCalls.mark else { return false }
        return mark(group, FanotifyCalls.markFlush, 0, AT_FDCWD, nil) == 0
    }

    /// Whether the marks in place are older than `lifetime` seconds.
    func expired(lifetime: Double) -> Bool {
        guard let markedSince else { return false }
        return Self.now() - markedSince >= lifetime
    }

    /// Monotonic seconds.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
