/// SystemTesting: what tests need of the real system — filesystems made on loop devices, and the system's tools.
import FileIO
import Foundation
import Glibc

/// A real filesystem made for one test: a sparse image file formatted with mkfs and mounted through a loop device
/// (root only); unmounted lazily (a watcher still holding a descriptor in it cannot keep it mounted) and removed when
/// the value goes away. `mount -o loop` sets the loop device to detach itself once the filesystem is unmounted.
public final class LoopFilesystem {
    public let mountPoint: String
    /// The folder holding the image and the mount point; a test may keep other files there.
    public let base: String

    /// `megabytes` defaults to the smallest size each mkfs accepts (btrfs 114 MiB, xfs 300 MiB).
    public init(type: String = "ext4", megabytes: Int? = nil) throws {
        let megabytes = megabytes ?? ["btrfs": 128, "xfs": 320][type] ?? 64
        var template = Array("/tmp/haven-loop-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw SystemError.current("mkdtemp") }
        base = String(cString: template)
        mountPoint = base + "/mnt"
        let image = base + "/image"
        do {
            try FileIO.makeDirectories(mountPoint)
            let fd = open(image, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw SystemError.current("open", path: image) }
            defer { close(fd) }
            guard ftruncate(fd, off_t(megabytes) << 20) == 0 else { throw SystemError.current("ftruncate", path: image) }
            try Tool.run("/sbin/mkfs.\(type)", (type == "ext4" ? ["-q", "-F"] : ["-q", "-f"]) + [image])
            try Tool.run("/bin/mount", ["-o", "loop", image, mountPoint])
        } catch {
            try? FileIO.removeTree(base)
            throw error
        }
    }

    deinit {
        _ = try? Tool.run("/bin/umount", ["-l", mountPoint])
        try? FileIO.removeTree(base)
    }

    /// A path inside the filesystem.
    public func path(_ relative: String) -> String { mountPoint + "/" + relative }
}
