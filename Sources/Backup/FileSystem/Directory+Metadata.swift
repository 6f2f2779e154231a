#if canImport(Glibc)
import Glibc
#endif
import FileIO
import Repository

/// Putting an entry's metadata back after restore wrote it, without following symlinks.
extension Directory {
    /// Applies owner, mode, extended attributes and times to `name` itself, in that order: chown
    /// clears setuid/setgid and file capabilities, so mode and xattrs come after it, and every
    /// change bumps ctime but not mtime, so times come last.
    ///
    /// Every step works on the entry, never on a symlink's target: fchownat and utimensat with
    /// AT_SYMLINK_NOFOLLOW, lsetxattr, and fchmodat with AT_SYMLINK_NOFOLLOW, which fails with
    /// EOPNOTSUPP rather than follow if a symlink was swapped in after the mode step decided the
    /// entry is not one. Errors, EPERM for a non-root owner change included, go to the caller.
    public func applyMetadata(to name: [UInt8], _ metadata: RestoreMetadata) throws(SystemError) {
        if metadata.uid != nil || metadata.gid != nil {
            // -1 (all bits set) leaves that id unchanged.
            let uid = metadata.uid ?? UInt32.max, gid = metadata.gid ?? UInt32.max
            try call("fchownat", name) { fchownat(fd, $0, uid, gid, AT_SYMLINK_NOFOLLOW) }
        }
        if let mode = metadata.mode, try status(of: name).kind != .symlink {
            try call("fchmodat", name) { fchmodat(fd, $0, mode_t(mode & 0o7777), AT_SYMLINK_NOFOLLOW) }
        }
        for attribute in metadata.xattrs {
            try setExtendedAttribute(attribute, on: name)
        }
        try setTimes(of: name, metadata)
    }

    private func setTimes(of name: [UInt8], _ metadata: RestoreMetadata) throws(SystemError) {
        let access = metadata.atimeSeconds.map { timespec(tv_sec: Int($0), tv_nsec: Int(metadata.atimeNanoseconds)) }
            ?? timespec(tv_sec: 0, tv_nsec: LinuxCalls.timeOmit)
        let modification = timespec(tv_sec: Int(metadata.mtimeSeconds), tv_nsec: Int(metadata.mtimeNanoseconds))
        let times = [access, modification]
        try call("utimensat", name) { cName in
            times.withUnsafeBufferPointer { utimensat(fd, cName, $0.baseAddress, AT_SYMLINK_NOFOLLOW) }
        }
    }
}
