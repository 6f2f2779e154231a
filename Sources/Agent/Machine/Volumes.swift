/// Volumes: the mounted filesystems a goal can protect whole, each listed once with its size and use.
import Foundation
import Glibc

/// A volume of this machine as the source picker shows it.
public struct VolumeInfo: Sendable, Equatable {
    public var mountPoint: String
    public var device: String
    public var type: String
    /// Bytes: the filesystem's size, what is used, and what is free for unprivileged users (statvfs; 0 when unknown).
    public var size: UInt64
    public var used: UInt64
    public var available: UInt64
    public var readOnly: Bool

    public init(mountPoint: String, device: String, type: String, size: UInt64, used: UInt64, available: UInt64, readOnly: Bool) {
        self.mountPoint = mountPoint
        self.device = device
        self.type = type
        self.size = size
        self.used = used
        self.available = available
        self.readOnly = readOnly
    }

    /// The size and use of the filesystem mounted at `mount.mountPoint`, from statvfs.
    public init(_ mount: Mount) {
        var info = statvfs()
        let known = statvfs(mount.mountPoint, &info) == 0
        let unit = known ? UInt64(info.f_frsize) : 0
        self.init(mountPoint: mount.mountPoint, device: mount.device, type: mount.type, size: unit * UInt64(info.f_blocks),
                  used: unit * (UInt64(info.f_blocks) - min(UInt64(info.f_blocks), UInt64(info.f_bfree))),
                  available: unit * UInt64(info.f_bavail), readOnly: mount.isReadOnly)
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
