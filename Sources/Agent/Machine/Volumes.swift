/// Volumes: the mounted filesystems a goal can protect whole, each listed once with its size and use.
import Backup
import Backup
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
