#if canImport(Glibc)
import Glibc
#endif
import FileIO

/// An open directory: every other file is reached relative to its descriptor, by raw-byte name,
/// never by a path string a symlink could redirect.
///
/// Non-copyable so exactly one owner closes the descriptor (in `deinit`). Names given to any method
/// must be single path components: a name with `/` or NUL, `.`, `..` or an empty name is refused
/// with EINVAL before any system call, so no method can reach outside this directory.
public struct Directory: ~Copyable, Sendable {
    /// The directory's file descriptor, valid while this value lives.
    public let fd: Int32
    /// The path this directory was opened by, for messages only; it is never used to reach a file.
    public let path: [UInt8]

    private init(fd: Int32, path: [UInt8]) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Opens a directory by path, following symlinks in it: the path is the operator's choice
    /// (a backup source or a restore target), not recovery-point data.
    public static func open(path: String) throws(SystemError) -> Directory {
        let fd = try FileIO.call("open", path: path) { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        return Directory(fd: fd, path: Array(path.utf8))
    }

    /// Opens a directory by a path held as bytes (e.g. a source path recorded in a recovery point,
    /// which need not be UTF-8), following symlinks in it like `open(path:)`.
    public static func open(path: [UInt8]) throws(SystemError) -> Directory {
        if path.isEmpty || path.contains(0) {
            throw SystemError(code: EINVAL, operation: "open (empty path or NUL in path)", path: FileName.printable(path))
        }
        do {
            let fd = try FileIO.call("open") { withCName(path) { Glibc.open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) } }
            return Directory(fd: fd, path: path)
        } catch {
            throw SystemError(code: error.code, operation: error.operation, path: FileName.printable(path))
        }
    }

    /// Opens the subdirectory `name` of `parent` without following a symlink (O_NOFOLLOW|O_DIRECTORY):
    /// a directory swapped for a symlink fails with ENOTDIR instead of leading elsewhere.
    public static func open(at parent: borrowing Directory, name: [UInt8]) throws(SystemError) -> Directory {
        let fd = try parent.call("openat", name) {
            openat(parent.fd, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
        return Directory(fd: fd, path: FileName.joined(parent.path, name))
    }

    /// The names in this directory without `.` and `..`, sorted bytewise.
    public func entries() throws(SystemError) -> [[UInt8]] {
        // A second open file description, so the read position is ours and concurrent callers
        // on the same Directory do not interfere; closedir closes it.
        let readFD = try FileIO.call("openat", path: FileName.printable(path)) {
            openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        guard let stream = fdopendir(readFD) else {
            let error = SystemError.current("fdopendir", path: FileName.printable(path))
            close(readFD)
            throw error
        }
        defer { closedir(stream) }
        var names: [[UInt8]] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw SystemError.current("readdir", path: FileName.printable(path)) }
                break
            }
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                Array(raw.prefix(strlen(raw.baseAddress!.assumingMemoryBound(to: CChar.self))))
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            names.append(name)
        }
        names.sort { $0.lexicographicallyPrecedes($1) }
        return names
    }

    /// The status of `name` itself, not of what a symlink points to (fstatat AT_SYMLINK_NOFOLLOW).
    public func status(of name: [UInt8]) throws(SystemError) -> FileStatus {
        var raw = stat()
        try call("fstatat", name) { fstatat(fd, $0, &raw, AT_SYMLINK_NOFOLLOW) }
        return try FileStatus(raw, operation: "fstatat", path: displayPath(name))
    }

    /// The status of this directory (fstat on its descriptor).
    public func status() throws(SystemError) -> FileStatus {
        do {
            return try FileStatus(fd: fd)
        } catch {
            throw SystemError(code: error.code, operation: error.operation, path: FileName.printable(path))
        }
    }

    /// The target of the symlink `name`, as raw bytes.
    public func readLink(_ name: [UInt8]) throws(SystemError) -> [UInt8] {
        var capacity = 256
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            let count = try call("readlinkat", name) { cName in
                buffer.withUnsafeMutableBytes { raw in
                    readlinkat(fd, cName, raw.baseAddress!.assumingMemoryBound(to: CChar.self), capacity)
                }
            }
            // A result that fills the buffer may have been cut short: retry larger.
            if count < capacity { return Array(buffer.prefix(count)) }
            capacity *= 4
        }
    }

    /// Opens `name` for reading without following a symlink, and without updating its access time
    /// when permitted (O_NOATIME needs ownership or CAP_FOWNER; on EPERM it opens without).
    ///
    /// O_NONBLOCK keeps a FIFO swapped in after `status(of:)` from blocking the backup forever;
    /// it changes nothing for regular files. Callers compare `FileStatus(fd:)` with what they stat'ed.
    /// The caller owns the returned descriptor.
    public func openFile(_ name: [UInt8]) throws(SystemError) -> Int32 {
        let flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK
        do {
            return try call("openat", name) { openat(fd, $0, flags | LinuxCalls.openNoAccessTime) }
        } catch where error.code == EPERM {
            return try call("openat", name) { openat(fd, $0, flags) }
        }
    }

    /// Runs a *at system call on `name`, retrying on EINTR; failures name `path/name`.
    @discardableResult
    func call<T: FixedWidthInteger>(
        _ operation: String, _ name: [UInt8], _ body: (UnsafePointer<CChar>) -> T
    ) throws(SystemError) -> T {
        guard SafeName.isSafe(name) else {
            throw SystemError(code: EINVAL, operation: "\(operation) (unsafe name)", path: displayPath(name))
        }
        do {
            return try FileIO.call(operation) { withCName(name, body) }
        } catch {
            throw SystemError(code: error.code, operation: operation, path: displayPath(name))
        }
    }

    /// `path/name`, printable, for error messages.
    func displayPath(_ name: [UInt8]) -> String {
        FileName.printable(FileName.joined(path, name))
    }
}
