#if canImport(Glibc)
import Glibc
#endif
import FileIO

/// Creating entries for restore: every call is relative to this directory's descriptor, refuses
/// unsafe names, and never follows a symlink already sitting at the name.
extension Directory {
    /// Creates the subdirectory `name` (mkdirat; the umask applies until `applyMetadata` sets the mode).
    /// EEXIST is left to the caller, which decides between merge, copy and skip.
    public func makeDirectory(_ name: [UInt8], mode: UInt32) throws(SystemError) {
        try call("mkdirat", name) { mkdirat(fd, $0, mode_t(mode & 0o7777)) }
    }

    /// Creates `name` for writing, mode 0600 until `applyMetadata` sets the real one, and returns the
    /// descriptor (the caller closes it).
    ///
    /// `exclusive` fails with EEXIST if anything is at the name; otherwise an existing regular file is
    /// truncated. A symlink at the name is never followed (EEXIST or ELOOP), a FIFO does not block
    /// (ENXIO), and any other non-regular file fails with EINVAL, so a target prepared by an attacker
    /// cannot redirect the write.
    public func createFile(_ name: [UInt8], exclusive: Bool) throws(SystemError) -> Int32 {
        let flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (exclusive ? O_EXCL : O_TRUNC)
        let file = try call("openat", name) { openat(fd, $0, flags, 0o600) }
        // O_CREAT|O_EXCL made a new regular file; only an existing entry needs its type checked.
        if exclusive { return file }
        let status: FileStatus
        do {
            status = try FileStatus(fd: file)
        } catch {
            close(file)
            throw SystemError(code: error.code, operation: error.operation, path: displayPath(name))
        }
        guard status.kind == .regular else {
            close(file)
            throw SystemError(code: EINVAL, operation: "openat (not a regular file)", path: displayPath(name))
        }
        return file
    }

    /// Creates the symlink `name` pointing at `target`, which is stored as given and never resolved
    /// here. Refuses an empty target or one with a NUL byte (EINVAL).
    public func makeSymlink(_ name: [UInt8], target: [UInt8]) throws(SystemError) {
        if target.isEmpty || target.contains(0) {
            throw SystemError(code: EINVAL, operation: "symlinkat (empty target or NUL in target)", path: displayPath(name))
        }
        try withCName(target) { (cTarget) throws(SystemError) in
            try call("symlinkat", name) { symlinkat(cTarget, fd, $0) }
        }
    }

    /// Creates `name` as another link to the entry `existing` in `existingDirectory` (linkat without
    /// AT_SYMLINK_FOLLOW: if `existing` is a symlink, the new name links the symlink, not its target).
    public func makeHardLink(
        _ name: [UInt8], to existing: [UInt8], in existingDirectory: borrowing Directory
    ) throws(SystemError) {
        let sourceFD = existingDirectory.fd
        try existingDirectory.checkEntryName(existing, operation: "linkat")
        try withCName(existing) { (cExisting) throws(SystemError) in
            try call("linkat", name) { linkat(sourceFD, cExisting, fd, $0, 0) }
        }
    }

    /// Creates a FIFO, socket, character or block device node (mknodat; the umask applies).
    /// Other kinds fail with EINVAL: they have their own calls above.
    public func makeNode(_ name: [UInt8], kind: FileKind, mode: UInt32, rdev: UInt64) throws(SystemError) {
        switch kind {
        case .fifo, .socket, .characterDevice, .blockDevice: break
        case .regular, .directory, .symlink:
            throw SystemError(code: EINVAL, operation: "mknodat (\(kind) is not a node kind)", path: displayPath(name))
        }
        try call("mknodat", name) { mknodat(fd, $0, mode_t(kind.typeBits | (mode & 0o7777)), dev_t(rdev)) }
    }
}
