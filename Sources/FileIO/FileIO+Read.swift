#if canImport(Glibc)
import Glibc
#endif

/// Reading whole files and byte ranges with `read`/`pread` loops that tolerate short reads.
extension FileIO {
    /// Opens `path` read-only (close-on-exec); the caller closes the descriptor.
    public static func openForReading(_ path: String) throws(SystemError) -> Int32 {
        try call("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
    }

    /// Reads the whole file. Files that report size 0 but have content (such as /proc files) are read to EOF too.
    public static func readFile(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = try openForReading(path)
        defer { close(fd) }
        let expected = try status(fd: fd, path: path).size
        var bytes = try readUpTo(fd: fd, count: expected, offset: 0, path: path)
        // The file may have grown since fstat, or may not report its size at all.
        let tailChunk = 64 * 1024
        while true {
            let tail = try readUpTo(fd: fd, count: tailChunk, offset: bytes.count, path: path)
            bytes.append(contentsOf: tail)
            if tail.count < tailChunk { return bytes }
        }
    }

    /// Reads the bytes of `range`; the result is shorter than the range only when the file ends inside it.
    public static func readFile(_ path: String, range: Range<Int>) throws(SystemError) -> [UInt8] {
        guard range.lowerBound >= 0 else {
            throw SystemError(code: EINVAL, operation: "pread", path: path)
        }
        let fd = try openForReading(path)
        defer { close(fd) }
        return try readUpTo(fd: fd, count: range.count, offset: range.lowerBound, path: path)
    }

    /// Reads up to `count` bytes at `offset` into a new array, short only at EOF.
    public static func readUpTo(fd: Int32, count: Int, offset: Int, path: String?) throws(SystemError) -> [UInt8] {
        var failure: SystemError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(SystemError) {
                initialized = try preadAll(fd: fd, into: UnsafeMutableRawBufferPointer(buffer), offset: offset, path: path)
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Fills `buffer` from `offset`, looping over short reads; returns the bytes read, fewer than asked only at EOF.
    public static func preadAll(
        fd: Int32, into buffer: UnsafeMutableRawBufferPointer, offset: Int, path: String?
    ) throws(SystemError) -> Int {
        var done = 0
        while done < buffer.count {
            let remaining = buffer.count - done
            let target = buffer.baseAddress! + done
            let got = try call("pread", path: path) { pread(fd, target, remaining, off_t(offset + done)) }
            if got == 0 { break }
            done += got
        }
        return done
    }
}
