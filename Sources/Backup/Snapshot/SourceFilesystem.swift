/// SourceFilesystem says what a backup source lives on: the filesystem's type, on btrfs the subvolume the source
/// belongs to, and whether the block device is a device-mapper (LVM) volume.
#if canImport(Glibc)
import Glibc
#endif
import FileIO

struct SourceFilesystem: Sendable, Equatable {
    /// The filesystem type as `/proc/self/mountinfo` names it ("ext4", "xfs", "btrfs", "tmpfs"…).
    var type: String
    /// The source with every symbolic link above it resolved (the source itself is not followed).
    var realPath: String
    /// On btrfs: the root directory of the subvolume holding the source (its inode is 256), when it can be reached
    /// through the mounted tree.
    var subvolumeRoot: String?
    /// Why a btrfs source's subvolume root was not found, in words.
    var subvolumeProblem: String?
    /// The device-mapper volume the filesystem is on ("vg-data", from /sys/dev/block/M:m/dm/name); nil otherwise.
    var deviceMapperName: String?
    /// Whether that device-mapper volume is an LVM logical volume.
    var isLVM = false

    var isBtrfs: Bool { type == "btrfs" }

    /// Looks at `path` (absolute). Throws when it cannot be looked at at all (missing, no permission).
    static func inspect(_ path: String) throws(SystemError) -> SourceFilesystem {
        let realPath = try resolvedAbove(path)
        var status = stat()
        try FileIO.call("lstat", path: path) { lstat(realPath, &status) }
        // A source that is not a directory is looked at through the directory holding it.
        let directory = (status.st_mode & S_IFMT) == S_IFDIR ? realPath : FileIO.parentDirectory(of: realPath)
        let magic = try BtrfsCalls.filesystemMagic(directory)
        var directoryStatus = stat()
        try FileIO.call("stat", path: directory) { stat(directory, &directoryStatus) }
        let device = UInt64(directoryStatus.st_dev)
        let isBtrfs = magic == BtrfsCalls.superMagic
        var result = SourceFilesystem(type: isBtrfs ? "btrfs" : Self.typeName(device: device, magic: magic),
                                      realPath: realPath)
        if isBtrfs {
            switch Self.subvolumeRoot(of: directory, device: device, inode: UInt64(directoryStatus.st_ino)) {
            case .success(let root): result.subvolumeRoot = root
            case .failure(let problem): result.subvolumeProblem = problem.reason
            }
        } else if let name = Self.sysfs(device: device, "dm/name") {
            result.deviceMapperName = name
            result.isLVM = Self.sysfs(device: device, "dm/uuid")?.hasPrefix("LVM-") ?? false
        }
        return result
    }

    /// `path` with its parent resolved by `realpath`; the last component stays as it is (it may be a symbolic link,
    /// which a backup records as a link).
    static func resolvedAbove(_ path: String) throws(SystemError) -> String {
        guard path != "/" else { return "/" }
        let parent = FileIO.parentDirectory(of: path)
        let name = String(path.split(separator: "/").last ?? "")
        guard let resolved = realpath(parent, nil) else { throw SystemError.current("realpath", path: parent) }
        defer { free(resolved) }
        let real = String(cString: resolved)
        return (real == "/" ? "" : real) + "/" + name
    }

    struct Problem: Error { var reason: String }

    /// Walks up from `directory` while the device stays the same (every btrfs subvolume has a device of its own);
    /// the topmost directory reached must be the subvolume's root, inode 256.
    private static func subvolumeRoot(of directory: String, device: UInt64, inode: UInt64) -> Result<String, Problem> {
        var current = directory
        var currentInode = inode
        while current != "/" {
            let parent = FileIO.parentDirectory(of: current)
            var status = stat()
            guard stat(parent, &status) == 0 else { break }
            guard UInt64(status.st_dev) == device else { break }
            current = parent
            currentInode = UInt64(status.st_ino)
        }
        guard currentInode == BtrfsCalls.subvolumeRootInode else {
            return .failure(Problem(reason: "the root of its btrfs subvolume is not mounted (only a folder inside it is, at \(current))"))
        }
        return .success(current)
    }

    /// The mount's filesystem type from the mount table, else a name for the statfs magic.
    private static func typeName(device: UInt64, magic: Int) -> String {
        let number = DeviceNumber(rdev: device)
        if let mount = MountTable.current().last(where: { $0.major == number.major && $0.minor == number.minor }) {
            return mount.type
        }
        switch magic {
        case 0xEF53: return "ext4"
        case 0x5846_5342: return "xfs"
        case 0x0102_1994: return "tmpfs"
        default: return "a filesystem of type 0x" + String(magic, radix: 16)
        }
    }

    private static func sysfs(device: UInt64, _ file: String) -> String? {
        guard let bytes = try? FileIO.readFile("/sys/dev/block/\(name(device))/\(file)") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == " " }).first
        return text.map(String.init)
    }

    private static func name(_ device: UInt64) -> String {
        let number = DeviceNumber(rdev: device)
        return "\(number.major):\(number.minor)"
    }
}
