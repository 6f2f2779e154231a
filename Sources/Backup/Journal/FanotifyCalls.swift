/// FanotifyCalls holds the fanotify and file-handle ABI that Swift's Glibc module does not export: constants, the
/// event layout, and the three functions, looked up with `dlsym` as LinuxCalls does for xattrs.
#if canImport(Glibc)
import Glibc
#endif

enum FanotifyCalls {
    // fanotify_init flags
    static let cloexec: UInt32 = 0x1
    static let nonblock: UInt32 = 0x2
    static let classNotify: UInt32 = 0x0
    /// FAN_REPORT_DIR_FID without FAN_REPORT_NAME (Linux 5.9): each event names a directory only. Events with the same
    /// directory and process then merge in the queue (their masks OR'ed; never a FAN_ONDIR event with another), so a
    /// folder being filled costs one queued event rather than one per file name.
    static let reportDirectoryFID: UInt32 = 0x400

    // fanotify_mark flags
    static let markAdd: UInt32 = 0x1
    static let markRemove: UInt32 = 0x2
    static let markFilesystem: UInt32 = 0x100
    /// Without FAN_MARK_MOUNT or FAN_MARK_FILESYSTEM: removes every inode mark of the group (here: the ignore marks).
    static let markFlush: UInt32 = 0x80
    static let markIgnoredSurviveModify: UInt32 = 0x40
    /// The mark does not pin the inode in memory; the kernel may drop it with the inode (Linux 5.19).
    static let markEvictable: UInt32 = 0x200
    /// An ignore mask whose FAN_ONDIR and FAN_EVENT_ON_CHILD bits take effect (Linux 6.0).
    static let markIgnore: UInt32 = 0x400

    // event mask bits
    static let modify: UInt64 = 0x2
    static let attrib: UInt64 = 0x4
    static let closeWrite: UInt64 = 0x8
    static let movedFrom: UInt64 = 0x40
    static let movedTo: UInt64 = 0x80
    static let create: UInt64 = 0x100
    static let delete: UInt64 = 0x200
    static let queueOverflow: UInt64 = 0x4000
    static let eventOnChild: UInt64 = 0x0800_0000
    static let onDirectory: UInt64 = 0x4000_0000

    /// Everything that changes a directory's listing or an entry's content or metadata, each reported with the
    /// directory it happened in. Not FAN_DELETE_SELF or FAN_MOVE_SELF: a directory removed or moved is reported by its old
    /// (and new) parent's `delete` or `moved*` event, and a file's own events are never reported to a group without
    /// FAN_REPORT_FID (it has no directory to name), yet each one the filesystem mark asks for makes the kernel walk
    /// the marks in the process that unlinks or renames. `modify` sees a file a long-lived writer keeps open (a log
    /// written across a backup); `closeWrite` sees a file written through a shared mapping (no `modify`) once its
    /// writer closes and unmaps it.
    static let watchedEvents: UInt64 = modify | attrib | closeWrite | movedFrom | movedTo | create | delete | onDirectory

    /// What an ignore mark on a directory drops: changes to its entries that are not directories (created, removed,
    /// renamed, written, attributes), and with `eventOnChild` the same events reported through the directory for its
    /// children. Without `onDirectory`, events whose subject is a directory still arrive: the directory's own
    /// attribute change, move or removal (which its parent must record), and subdirectories made, renamed or removed in it.
    static let ignoredEvents: UInt64 = modify | attrib | closeWrite | movedFrom | movedTo | create | delete | eventOnChild

    // info record types. A group with FAN_REPORT_DIR_FID alone reports one record, always about a directory: type
    // DFID for an entry's creation, removal or move and for an event on a directory, and type FID (the kernel's name for
    // a record that is not a dirent event's) for a file's content or metadata change, naming the file's parent.
    static let infoFID: UInt8 = 1
    static let infoDirectoryFID: UInt8 = 3

    /// `struct fanotify_event_metadata`: event_len u32, vers u8, reserved u8, metadata_len u16, mask u64, fd i32, pid i32.
    static let metadataSize = 24
    static let metadataVersion: UInt8 = 3

    typealias Init = @convention(c) (UInt32, UInt32) -> Int32
    typealias Mark = @convention(c) (Int32, UInt32, UInt64, Int32, UnsafePointer<CChar>?) -> Int32
    typealias OpenByHandle = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32) -> Int32

    static let initialize: Init? = symbol("fanotify_init")
    static let mark: Mark? = symbol("fanotify_mark")
    static let openByHandle: OpenByHandle? = symbol("open_by_handle_at")

    /// O_PATH: a descriptor that only names the directory, enough for readlink of /proc/self/fd.
    static let openPath: Int32 = 0o10_000_000

    private static func symbol<F>(_ name: String) -> F? {
        guard let address = dlsym(nil, name) else { return nil }
        return unsafeBitCast(address, to: F.self)
    }
}
