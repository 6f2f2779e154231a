/// ListingCalls holds the two calls a fast directory walk needs that Swift's Glibc module does not export (glibc
/// declares them only under `_GNU_SOURCE`): `getdents64` and `statx`, looked up with `dlsym` as LinuxCalls does for
/// xattrs, with the kernel ABI layouts of `struct linux_dirent64` and `struct statx`.
#if canImport(Glibc)
import Glibc
#endif
import FileIO

enum ListingCalls {
    typealias GetDents = @convention(c) (Int32, UnsafeMutableRawPointer?, Int) -> Int
    typealias Statx = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UInt32, UnsafeMutableRawPointer?) -> Int32

    // Looked up once, on first use; nil on a libc older than glibc 2.30 (getdents64) or 2.28 (statx).
    static let getdents64: GetDents? = symbol("getdents64")
    static let statx: Statx? = symbol("statx")

    /// `struct linux_dirent64`: d_ino u64, d_off i64, d_reclen u16, d_type u8, then the NUL-terminated name.
    static let recordLengthOffset = 16
    static let nameOffset = 19

    /// `sizeof(struct statx)`: the kernel fills at most this much.
    static let statxSize = 256
    /// STATX_TYPE | MODE | NLINK | UID | GID | MTIME | CTIME | INO | SIZE | BLOCKS: what `FileStatus` holds
    /// (no atime: change detection never looks at it, and no birth time).
    static let statxFields: UInt32 = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400
    /// AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC: the entry itself, and what the kernel has (no network round trip).
    static let statxFlags: Int32 = 0x100 | 0x4000

    private static func symbol<F>(_ name: String) -> F? {
        guard let address = dlsym(nil, name) else { return nil }
        return unsafeBitCast(address, to: F.self)
    }
}

extension FileStatus {
    /// Reads a `struct statx` the kernel filled; nil when a field `FileStatus` needs is missing from `stx_mask` or the
    /// file type is one Linux does not define (the caller then asks `fstatat`, which says why).
    init?(statx raw: UnsafeRawPointer) {
        func field<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T { raw.loadUnaligned(fromByteOffset: offset, as: T.self) }
        guard field(0, UInt32.self) & ListingCalls.statxFields == ListingCalls.statxFields,
              let kind = FileKind(mode: UInt32(field(28, UInt16.self))) else { return nil }
        self.init(
            kind: kind,
            mode: UInt32(field(28, UInt16.self)) & 0o7777,
            uid: field(20, UInt32.self),
            gid: field(24, UInt32.self),
            size: field(40, UInt64.self),
            inode: field(32, UInt64.self),
            device: DeviceNumber(major: field(136, UInt32.self), minor: field(140, UInt32.self)).rdev,
            linkCount: UInt64(field(16, UInt32.self)),
            rdev: DeviceNumber(major: field(128, UInt32.self), minor: field(132, UInt32.self)).rdev,
            blocks: field(48, UInt64.self),
            mtimeSeconds: field(112, Int64.self),
            mtimeNanoseconds: field(120, UInt32.self),
            ctimeSeconds: field(96, Int64.self),
            ctimeNanoseconds: field(104, UInt32.self)
        )
    }
}
