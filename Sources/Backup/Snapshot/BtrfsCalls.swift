/// BtrfsCalls holds the btrfs ioctl ABI Haven uses to take and remove read-only snapshots, so a backup needs no
/// btrfs-progs at run time: the request numbers, the argument layouts, and `ioctl` looked up with `dlsym` as
/// LinuxCalls does for xattrs (Swift's Glibc module does not import variadic C functions); and `statfs`, which
/// tells a btrfs filesystem by its magic number (Swift's Glibc module leaves out `<sys/vfs.h>`).
#if canImport(Glibc)
import Glibc
#endif
import FileIO

enum BtrfsCalls {
    /// `BTRFS_SUPER_MAGIC`: `statfs.f_type` of a btrfs filesystem.
    static let superMagic: Int = 0x9123_683E
    /// `BTRFS_FIRST_FREE_OBJECTID`: the inode number of every subvolume's (and snapshot's) root directory.
    static let subvolumeRootInode: UInt64 = 256

    /// `_IOW(0x94, nr, 4096)`: both argument structs are 4096 bytes.
    private static func write(_ number: UInt) -> UInt { (1 << 30) | (4096 << 16) | (0x94 << 8) | number }
    /// `BTRFS_IOC_SNAP_CREATE_V2`, argument `struct btrfs_ioctl_vol_args_v2`.
    static let snapshotCreateV2 = write(23)
    /// `BTRFS_IOC_SNAP_DESTROY`, argument `struct btrfs_ioctl_vol_args`.
    static let snapshotDestroy = write(15)
    /// `BTRFS_SUBVOL_RDONLY` in `btrfs_ioctl_vol_args_v2.flags`.
    static let readOnly: UInt64 = 1 << 1

    /// `struct btrfs_ioctl_vol_args_v2`: fd s64 @0, transid u64 @8, flags u64 @16, a 32-byte union @24, name @56
    /// (`BTRFS_SUBVOL_NAME_MAX` 4039 bytes + NUL); 4096 bytes in all.
    private static let v2NameOffset = 56
    /// `struct btrfs_ioctl_vol_args`: fd s64 @0, name @8 (`BTRFS_PATH_NAME_MAX` 4087 bytes + NUL).
    private static let v1NameOffset = 8

    private typealias IOCtl = @convention(c) (Int32, UInt, UnsafeMutableRawPointer?) -> Int32
    private static let ioctl: IOCtl? = {
        guard let address = dlsym(nil, "ioctl") else { return nil }
        return unsafeBitCast(address, to: IOCtl.self)
    }()

    private typealias StatFS = @convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Int32
    private static let statfs: StatFS? = {
        guard let address = dlsym(nil, "statfs") else { return nil }
        return unsafeBitCast(address, to: StatFS.self)
    }()

    /// `statfs(path).f_type`: the first field of `struct statfs` (a long on 64-bit Linux; the struct is 120 bytes).
    static func filesystemMagic(_ path: String) throws(SystemError) -> Int {
        guard let statfs else { throw SystemError(code: ENOSYS, operation: "statfs", path: path) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 256)
        try FileIO.call("statfs", path: path) { statfs(path, buffer) }
        return buffer.load(as: Int.self)
    }

    /// Takes a read-only snapshot of the subvolume open as `source`, named `name` inside the directory open as
    /// `directory` (which must be on the same btrfs filesystem).
    static func createReadOnlySnapshot(of source: Int32, in directory: Int32, name: String, path: String) throws(SystemError) {
        try call(snapshotCreateV2, on: directory, name: name, nameOffset: v2NameOffset, path: path) { arguments in
            arguments.storeBytes(of: Int64(source), toByteOffset: 0, as: Int64.self)
            arguments.storeBytes(of: readOnly, toByteOffset: 16, as: UInt64.self)
        }
    }

    /// Removes the subvolume (or snapshot) `name` inside the directory open as `directory`.
    static func destroySubvolume(named name: String, in directory: Int32, path: String) throws(SystemError) {
        try call(snapshotDestroy, on: directory, name: name, nameOffset: v1NameOffset, path: path) { _ in }
    }

    private static func call(_ request: UInt, on fd: Int32, name: String, nameOffset: Int, path: String,
                             fill: (UnsafeMutableRawPointer) -> Void) throws(SystemError) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count < 4096 - nameOffset - 1, !bytes.contains(0), !bytes.contains(UInt8(ascii: "/")) else {
            throw SystemError(code: EINVAL, operation: "btrfs subvolume name", path: path)
        }
        guard let ioctl else { throw SystemError(code: ENOSYS, operation: "ioctl", path: path) }
        let arguments = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 8)
        defer { arguments.deallocate() }
        arguments.initializeMemory(as: UInt8.self, repeating: 0, count: 4096)
        fill(arguments)
        bytes.withUnsafeBytes { arguments.advanced(by: nameOffset).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        try FileIO.call("ioctl", path: path) { ioctl(fd, request, arguments) }
    }
}
