import FileIO
import Foundation
import Glibc

/// A real filesystem made for one test: an image file formatted with mkfs and mounted through a loop device
/// (root only), unmounted and removed when the value goes away.
final class LoopFilesystem {
    let mountPoint: String
    private let image: String

    /// `megabytes` defaults to the smallest size each mkfs accepts (btrfs 114 MiB, xfs 300 MiB); the image is sparse.
    init(type: String = "ext4", megabytes: Int? = nil) throws {
        let megabytes = megabytes ?? ["btrfs": 128, "xfs": 320][type] ?? 64
        var template = Array("/tmp/haven-loop-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw SystemError.current("mkdtemp") }
        let base = String(cString: template)
        image = base + "/image"
        mountPoint = base + "/mnt"
        try FileIO.makeDirectories(mountPoint)
        let fd = open(image, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError.current("open", path: image) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(megabytes) << 20) == 0 else { throw SystemError.current("ftruncate", path: image) }
        let quiet = type == "ext4" ? ["-q", "-F"] : ["-q", "-f"]
        try Self.run("/sbin/mkfs.\(type)", quiet + [image])
        try Self.run("/bin/mount", ["-o", "loop", image, mountPoint])
    }

    deinit {
        // Lazily: a watcher released after this value may still hold a descriptor inside the filesystem.
        _ = try? Self.run("/bin/umount", ["-l", mountPoint])
        try? FileIO.removeTree((mountPoint as NSString).deletingLastPathComponent)
    }

    func path(_ relative: String) -> String { mountPoint + "/" + relative }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SystemError(code: EIO, operation: "\(tool) \(arguments.joined(separator: " ")): \(message)")
        }
    }
}
