/// A real filesystem for one test: an image file formatted with mkfs and mounted through a loop device (root only);
/// unmounted (lazily, so a watcher still holding it cannot keep it mounted) and removed when the value goes away.
/// `mount -o loop` sets the loop device to detach itself once the filesystem is unmounted.
import Foundation
import Glibc

final class LoopVolume {
    let mountPoint: String
    private let base: String

    init(type: String = "ext4", megabytes: Int = 64) throws {
        base = makeTemporaryDirectory("volume")
        mountPoint = base + "/mnt"
        let image = base + "/image"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: image, contents: nil), truncate(image, off_t(megabytes) << 20) == 0 else {
            throw LoopVolumeError(message: "cannot make the image \(image)")
        }
        do {
            try Self.run("/sbin/mkfs.\(type)", (type == "ext4" ? ["-q", "-F"] : ["-q", "-f"]) + [image])
            try Self.run("/bin/mount", ["-o", "loop", image, mountPoint])
        } catch {
            try? FileManager.default.removeItem(atPath: base)
            throw error
        }
    }

    deinit {
        _ = try? Self.run("/bin/umount", ["-l", mountPoint])
        try? FileManager.default.removeItem(atPath: base)
    }

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
            throw LoopVolumeError(message: "\(tool) \(arguments.joined(separator: " ")): \(message)")
        }
    }
}

struct LoopVolumeError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
