#if canImport(Glibc)
import Glibc
#endif

/// Creating, listing and removing directories and names.
extension FileIO {
    /// Creates `path` and any missing parents (`mkdir -p`); succeeds if it already is a directory.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            if mkdir(prefix, mode) == 0 { continue }
            let failure = SystemError.current("mkdir", path: prefix)
            // EEXIST is fine only for a directory (or a link to one); stat follows links on purpose here.
            var raw = stat()
            guard stat(prefix, &raw) == 0 else { throw failure }
            guard raw.st_mode & S_IFMT == S_IFDIR else {
                throw SystemError(code: failure.code == EEXIST ? ENOTDIR : failure.code, operation: "mkdir", path: prefix)
            }
        }
    }

    /// The names in a directory, without "." and "..", in no particular order.
    public static func listDirectory(_ path: String) throws(SystemError) -> [String] {
        let fd = try call("open", path: path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        return try names(inDirectory: fd, path: path)
    }

    /// Removes `path` and everything below it (`rm -rf`); a missing path is not an error.
    ///
    /// Symbolic links are removed, never followed: the walk uses `openat(O_NOFOLLOW)` relative to the
    /// parent's descriptor, so a link (or a directory swapped for a link mid-walk) cannot lead it outside the tree.
    public static func removeTree(_ path: String) throws(SystemError) {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let parent = parentDirectory(of: String(trimmed))
        let name = trimmed.split(separator: "/").last.map(String.init) ?? ""
        let parentFD = try call("open", path: parent) { open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(parentFD) }
        try removeEntry(name, in: parentFD, path: path, missingIsError: false)
    }

    /// Removes one name (a file or a symbolic link, never a directory).
    public static func removeFile(_ path: String) throws(SystemError) {
        try call("unlink", path: path) { unlink(path) }
    }

    /// Renames `source` to `destination`, replacing a file there.
    public static func rename(_ source: String, to destination: String) throws(SystemError) {
        try call("rename", path: destination) { Glibc.rename(source, destination) }
    }

    /// Makes `destination` a second name of `source`; fails with EEXIST if `destination` is taken,
    /// which is what makes it an atomic "create if absent".
    public static func link(_ source: String, to destination: String) throws(SystemError) {
        try call("link", path: destination) { Glibc.link(source, destination) }
    }

    private static func removeEntry(_ name: String, in parentFD: Int32, path: String, missingIsError: Bool) throws(SystemError) {
        if name.isEmpty || name == "." || name == ".." {
            throw SystemError(code: EINVAL, operation: "removeTree", path: path)
        }
        var raw = stat()
        if fstatat(parentFD, name, &raw, AT_SYMLINK_NOFOLLOW) == -1 {
            if errno == ENOENT && !missingIsError { return }
            throw SystemError.current("fstatat", path: path)
        }
        guard raw.st_mode & S_IFMT == S_IFDIR else {
            try call("unlink", path: path) { unlinkat(parentFD, name, 0) }
            return
        }
        let fd = try call("open", path: path) {
            openat(parentFD, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
        do {
            let children = try names(inDirectory: dup(fd), path: path)
            for child in children {
                try removeEntry(child, in: fd, path: path + "/" + child, missingIsError: false)
            }
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        try call("rmdir", path: path) { unlinkat(parentFD, name, AT_REMOVEDIR) }
    }

    /// Reads all names from a directory descriptor, taking ownership of `fd` (it is closed on return).
    private static func names(inDirectory fd: Int32, path: String) throws(SystemError) -> [String] {
        guard fd >= 0, let directory = fdopendir(fd) else {
            let failure = SystemError.current("opendir", path: path)
            if fd >= 0 { close(fd) }
            throw failure
        }
        defer { closedir(directory) }
        var result: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw SystemError.current("readdir", path: path) }
                return result
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { result.append(name) }
        }
    }
}
