/// MountTable reads the machine's mounted filesystems (/proc/self/mountinfo): the volumes a goal can protect, the type
/// of the filesystem a backup source is on, and which filesystem a folder is on, so the cache folder can be kept off
/// networks and removable disks.
import FileIO
import Foundation
import Glibc

/// One mounted filesystem.
public struct Mount: Sendable, Equatable {
    public var device: String
    public var mountPoint: String
    public var type: String
    /// The mount's id and its parent's (mountinfo only; 0 when read from /proc/self/mounts).
    public var id = 0
    public var parentID = 0
    /// The filesystem's device number (`st_dev` of its files); 0:0 when unknown.
    public var major: UInt32 = 0
    public var minor: UInt32 = 0
    /// The folder of the filesystem that appears at the mount point: "/" for the whole filesystem, another folder
    /// for a bind mount of it or a btrfs subvolume.
    public var root = "/"
    /// The mount's options (`rw`, `noatime`, …).
    public var options: [String] = []

    public init(device: String, mountPoint: String, type: String) {
        self.device = device
        self.mountPoint = mountPoint
        self.type = type
    }

    /// Filesystems reached over a network: a cache folder there would make every pack cross the network twice.
    public var isNetwork: Bool {
        ["nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "9p", "afs", "ceph", "glusterfs"].contains(type)
            || type.hasPrefix("fuse.") || type == "fuse"
    }

    /// Kernel and memory filesystems, not volumes a user protects.
    public var isVirtual: Bool {
        ["proc", "sysfs", "devtmpfs", "devpts", "tmpfs", "cgroup", "cgroup2", "securityfs", "pstore", "debugfs", "tracefs",
         "mqueue", "hugetlbfs", "configfs", "fusectl", "binfmt_misc", "autofs", "bpf", "efivarfs", "rpc_pipefs", "nsfs",
         "overlay", "squashfs", "ramfs"].contains(type)
    }

    public var isReadOnly: Bool { options.contains("ro") }
}

public enum MountTable {
    /// Parses the text of /proc/self/mounts (`device mountpoint type options 0 0`; octal escapes such as \040 for a
    /// space decoded). It has no device numbers or roots: `current()` reads mountinfo instead.
    public static func parse(_ text: String) -> [Mount] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { return nil }
            var mount = Mount(device: unescape(fields[0]), mountPoint: unescape(fields[1]), type: String(fields[2]))
            if fields.count >= 4 { mount.options = fields[3].split(separator: ",").map(String.init) }
            return mount
        }
    }

    /// Parses the text of /proc/self/mountinfo (see proc(5)):
    /// `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`: mount id, parent id,
    /// major:minor, root, mount point, mount options, optional fields up to "-", then type, source and the
    /// superblock's options. Paths have octal escapes (\040 space, \011 tab, \012 newline, \134 backslash). Lines
    /// that do not have this shape are left out.
    public static func parseMountInfo(_ text: String) -> [Mount] {
        text.split(separator: "\n").compactMap { line -> Mount? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count >= 10, let separator = fields[6...].firstIndex(of: "-"), separator + 2 < fields.count,
                  let id = Int(fields[0]), let parent = Int(fields[1]) else { return nil }
            let numbers = fields[2].split(separator: ":")
            guard numbers.count == 2, let major = UInt32(numbers[0]), let minor = UInt32(numbers[1]) else { return nil }
            var mount = Mount(device: unescape(fields[separator + 2]), mountPoint: unescape(fields[4]),
                              type: unescape(fields[separator + 1]))
            mount.id = id
            mount.parentID = parent
            mount.major = major
            mount.minor = minor
            mount.root = unescape(fields[3])
            mount.options = fields[5].split(separator: ",").map(String.init)
            return mount
        }
    }

    /// The machine's mounts now, in the order they were mounted.
    public static func current() -> [Mount] {
        if let bytes = try? FileIO.readFile("/proc/self/mountinfo") {
            return parseMountInfo(String(decoding: bytes, as: UTF8.self))
        }
        guard let bytes = try? FileIO.readFile("/proc/self/mounts") else { return [] }
        return parse(String(decoding: bytes, as: UTF8.self))
    }

    /// The mount `path` is on: the longest mount point that is `path` or a parent of it (the last one mounted wins).
    public static func mount(containing path: String, in mounts: [Mount]) -> Mount? {
        var best: Mount?
        for mount in mounts {
            let point = mount.mountPoint
            let inside = point == "/" || path == point || path.hasPrefix(point + "/")
            if inside, point.count >= (best?.mountPoint.count ?? -1) { best = mount }
        }
        return best
    }

    /// Whether the block device behind `device` (/dev/sdb1, /dev/mmcblk0p1) is removable, from /sys/block/*/removable.
    public static func isRemovable(device: String, sysBlock: String = "/sys/block") -> Bool {
        guard device.hasPrefix("/dev/") else { return false }
        var name = String(device.dropFirst(5))
        if let resolved = realpath(device, nil) {
            name = String(String(cString: resolved).split(separator: "/").last ?? Substring(name))
            free(resolved)
        }
        // A partition's disk is the /sys/block entry its name starts with (sdb1 → sdb, mmcblk0p1 → mmcblk0).
        let disks = (try? FileIO.listDirectory(sysBlock)) ?? []
        guard let disk = disks.filter({ name.hasPrefix($0) }).max(by: { $0.count < $1.count }),
              let flag = try? FileIO.readFile("\(sysBlock)/\(disk)/removable") else { return false }
        return flag.first == UInt8(ascii: "1")
    }

    static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(field.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "\\"), iterator.count >= 3,
               let value = UInt8(String(decoding: iterator.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                iterator = iterator.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension MountTable {
    /// The mounts a goal can protect as volumes, in mount order: local filesystems, each seen once. Left out are
    /// kernel, memory and network filesystems; a mount hidden by a later one at the same mount point; a mount point
    /// that is not a folder (a file bind-mounted into a container); and bind mounts, which show a folder of a
    /// filesystem already listed (an earlier mount of the same device whose root is that folder or a parent of it).
    /// Btrfs subvolumes mounted side by side (roots /@ and /@home) are volumes of their own.
    public static func volumes(in mounts: [Mount], isDirectory: (String) -> Bool = Self.isDirectory) -> [Mount] {
        var volumes: [Mount] = []
        for (index, mount) in mounts.enumerated() {
            guard !mount.isVirtual, !mount.isNetwork, mount.mountPoint.hasPrefix("/") else { continue }
            if mounts[(index + 1)...].contains(where: { $0.mountPoint == mount.mountPoint }) { continue }
            if isBind(mount, earlier: mounts[..<index]) { continue }
            guard isDirectory(mount.mountPoint) else { continue }
            volumes.append(mount)
        }
        return volumes
    }

    /// Whether `mount` shows a folder of a filesystem that an earlier mount already shows at or above that folder.
    public static func isBind(_ mount: Mount, earlier: ArraySlice<Mount>) -> Bool {
        guard mount.major != 0 || mount.minor != 0 else { return false }
        return earlier.contains { other in
            other.major == mount.major && other.minor == mount.minor
                && (other.root == "/" || mount.root == other.root || mount.root.hasPrefix(other.root + "/"))
        }
    }

    /// Whether a mount point is one the kernel lists now: a volume's filesystem is mounted there.
    public static func isMountPoint(_ path: String, in mounts: [Mount]) -> Bool {
        mounts.contains { $0.mountPoint == path }
    }

    public static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }
}
