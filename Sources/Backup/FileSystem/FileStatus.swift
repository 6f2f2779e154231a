#if canImport(Glibc)
import Glibc
#endif
import FileIO

/// What `stat` says about one file, in the units recovery points store.
public struct FileStatus: Sendable, Equatable {
    public var kind: FileKind
    /// Permission bits including setuid, setgid and sticky: `st_mode & 0o7777`.
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var size: UInt64
    public var inode: UInt64
    public var device: UInt64
    public var linkCount: UInt64
    /// The device a character or block device node stands for; see `deviceNumber`.
    public var rdev: UInt64
    /// Allocated 512-byte units; fewer than `size` needs means the file is sparse.
    public var blocks: UInt64
    public var mtimeSeconds: Int64
    public var mtimeNanoseconds: UInt32
    public var ctimeSeconds: Int64
    public var ctimeNanoseconds: UInt32

    public init(
        kind: FileKind, mode: UInt32, uid: UInt32, gid: UInt32, size: UInt64, inode: UInt64,
        device: UInt64, linkCount: UInt64, rdev: UInt64, blocks: UInt64,
        mtimeSeconds: Int64, mtimeNanoseconds: UInt32, ctimeSeconds: Int64, ctimeNanoseconds: UInt32
    ) {
        self.kind = kind
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.size = size
        self.inode = inode
        self.device = device
        self.linkCount = linkCount
        self.rdev = rdev
        self.blocks = blocks
        self.mtimeSeconds = mtimeSeconds
        self.mtimeNanoseconds = mtimeNanoseconds
        self.ctimeSeconds = ctimeSeconds
        self.ctimeNanoseconds = ctimeNanoseconds
    }

    /// The status of an open file descriptor (`fstat`), e.g. to check that the file opened by name
    /// is still the one that was stat'ed by name.
    public init(fd: Int32) throws(SystemError) {
        var raw = stat()
        try FileIO.call("fstat") { fstat(fd, &raw) }
        try self.init(raw, operation: "fstat", path: nil)
    }

    /// Converts a raw `stat`; throws EINVAL for a file type Linux does not define.
    init(_ raw: stat, operation: String, path: @autoclosure () -> String?) throws(SystemError) {
        guard let kind = FileKind(mode: UInt32(raw.st_mode)) else {
            throw SystemError(code: EINVAL, operation: "\(operation) (unknown file type)", path: path())
        }
        self.init(
            kind: kind,
            mode: UInt32(raw.st_mode) & 0o7777,
            uid: raw.st_uid,
            gid: raw.st_gid,
            size: UInt64(clamping: raw.st_size),
            inode: UInt64(raw.st_ino),
            device: UInt64(raw.st_dev),
            linkCount: UInt64(raw.st_nlink),
            rdev: UInt64(raw.st_rdev),
            blocks: UInt64(clamping: raw.st_blocks),
            mtimeSeconds: Int64(raw.st_mtim.tv_sec),
            mtimeNanoseconds: UInt32(clamping: raw.st_mtim.tv_nsec),
            ctimeSeconds: Int64(raw.st_ctim.tv_sec),
            ctimeNanoseconds: UInt32(clamping: raw.st_ctim.tv_nsec)
        )
    }

    /// Major and minor of `rdev`, meaningful for character and block devices.
    public var deviceNumber: DeviceNumber { DeviceNumber(rdev: rdev) }
}
