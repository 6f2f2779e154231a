import FileIO
import Glibc

/// Runs `body` with a setting under /proc/sys (a fanotify limit) changed, and sets it back whatever happens.
func withKernelSetting<T>(_ path: String, _ value: String, _ body: () throws -> T) throws -> T {
    let saved = try FileIO.readFile(path)
    func set(_ bytes: [UInt8]) {
        let fd = open(path, O_WRONLY | O_TRUNC)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
    set(Array((value + "\n").utf8))
    defer { set(saved) }
    return try body()
}
