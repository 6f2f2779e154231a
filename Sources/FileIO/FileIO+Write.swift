#if canImport(Glibc)
import Glibc
#endif

/// Writing files so that readers see either the old content or the whole new content, never a part.
extension FileIO {
    /// Writes every byte of `buffer` to `fd`, looping over short writes.
    public static func writeAll(fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String?) throws(SystemError) {
        var done = 0
        while done < buffer.count {
            let remaining = buffer.count - done
            let source = buffer.baseAddress! + done
            let written = try call("write", path: path) { write(fd, source, remaining) }
            // write(2) returns 0 only for a zero-length request; anything else would loop forever.
            if written == 0 { throw SystemError(code: EIO, operation: "write", path: path) }
            done += written
        }
    }

    /// Writes every byte of `bytes` to `fd`, looping over short writes.
    public static func writeAll(fd: Int32, _ bytes: [UInt8], path: String?) throws(SystemError) {
        var failure: SystemError?
        bytes.withUnsafeBytes { buffer in
            do throws(SystemError) { try writeAll(fd: fd, buffer, path: path) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Creates a new file named ".tmp-<random>" in `directory`, writes `bytes`, optionally fsyncs, and closes it.
    ///
    /// Returns the temporary file's path. On any failure the file is removed, so nothing is left behind.
    public static func writeTemporaryFile(
        in directory: String, _ bytes: [UInt8], mode: mode_t = 0o644, durable: Bool = true
    ) throws(SystemError) -> String {
        let (fd, path) = try createTemporaryFile(in: directory, mode: mode)
        do throws(SystemError) {
            try writeAll(fd: fd, bytes, path: path)
            if durable { try call("fsync", path: path) { fsync(fd) } }
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
        // close can report a deferred write error (NFS, quota); the data cannot be trusted then.
        // The descriptor is released even when close fails, so it must not be closed again.
        if close(fd) == -1 && errno != EINTR {
            let error = SystemError.current("close", path: path)
            unlink(path)
            throw error
        }
        return path
    }

    /// Writes `bytes` to `path` atomically: temp file in the same directory, write, fsync, rename over `path`,
    /// fsync the directory. On any failure the temp file is removed and nothing is left behind.
    public static func writeFileAtomically(
        _ path: String, _ bytes: [UInt8], mode: mode_t = 0o644, durable: Bool = true
    ) throws(SystemError) {
        let directory = parentDirectory(of: path)
        let temporary = try writeTemporaryFile(in: directory, bytes, mode: mode, durable: durable)
        do throws(SystemError) {
            try rename(temporary, to: path)
        } catch {
            unlink(temporary)
            throw error
        }
        if durable { try syncDirectory(directory) }
    }

    /// Flushes a directory's entries (created, renamed, removed names) to disk.
    public static func syncDirectory(_ path: String) throws(SystemError) {
        let fd = try call("open", path: path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        try call("fsync", path: path) { fsync(fd) }
    }

    /// The directory part of `path`: "." for a bare name, "/" for a name in the root.
    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// Creates a new file named ".tmp-<random>" in `directory`, open for writing; returns its descriptor and path.
    public static func createTemporaryFile(in directory: String, mode: mode_t) throws(SystemError) -> (Int32, String) {
        while true {
            let suffix = String(UInt64.random(in: .min ... .max), radix: 16)
            let path = directory + "/.tmp-" + suffix
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if fd >= 0 { return (fd, path) }
            if errno == EEXIST || errno == EINTR { continue }
            throw SystemError.current("open", path: path)
        }
    }
}
