#if canImport(Glibc)
import Glibc
#endif

/// What `stat` says about a path: its type, size and modification time.
public struct PathStatus: Sendable, Equatable {
    /// The type of a directory entry, as `lstat` sees it (symbolic links are not followed).
    public enum Kind: Sendable, Equatable {
        case regular, directory, symbolicLink, other
    }

    public let kind: Kind
    /// Size in bytes.
    public let size: Int
    /// Last modification, in whole seconds since the Unix epoch.
    public let modificationTime: Int

    init(_ raw: stat) {
        switch raw.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symbolicLink
        default: kind = .other
        }
        size = Int(raw.st_size)
        modificationTime = Int(raw.st_mtim.tv_sec)
    }
}

extension FileIO {
    /// The status of `path` itself: a symbolic link is reported as a link, not as its target.
    public static func status(_ path: String) throws(SystemError) -> PathStatus {
        var raw = stat()
        try call("lstat", path: path) { lstat(path, &raw) }
        return PathStatus(raw)
    }

    /// The status of an open file descriptor.
    public static func status(fd: Int32, path: String?) throws(SystemError) -> PathStatus {
        var raw = stat()
        try call("fstat", path: path) { fstat(fd, &raw) }
        return PathStatus(raw)
    }

    /// The size in bytes of the file at `path` (following symbolic links).
    public static func fileSize(_ path: String) throws(SystemError) -> Int {
        var raw = stat()
        try call("stat", path: path) { stat(path, &raw) }
        return Int(raw.st_size)
    }

    /// Whether `path` is a directory, or a symbolic link to one.
    public static func isDirectory(_ path: String) -> Bool {
        var raw = stat()
        return stat(path, &raw) == 0 && raw.st_mode & S_IFMT == S_IFDIR
    }

    /// Whether anything exists at `path`; a dangling symbolic link counts, since its name is taken.
    public static func exists(_ path: String) -> Bool {
        var raw = stat()
        return lstat(path, &raw) == 0
    }
}
