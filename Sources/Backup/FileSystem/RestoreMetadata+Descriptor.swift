#if canImport(Glibc)
import Glibc
#endif
import FileIO
import Repository

extension RestoreMetadata {
    /// Applies owner, mode, extended attributes and times to an open regular file, in the same order as
    /// `Directory.applyMetadata(to:_:)`, through the descriptor: no name is looked up again, so nothing
    /// swapped in at the name since the file was created can be touched.
    public func apply(toOpenFile fd: Int32, path: @autoclosure () -> String) throws(SystemError) {
        // The path is only for a message: build it when a call fails, not for every file.
        func check(_ operation: String, _ result: Int32) throws(SystemError) {
            if result == -1 { throw SystemError.current(operation, path: path()) }
        }
        if uid != nil || gid != nil {
            try check("fchown", fchown(fd, uid ?? UInt32.max, gid ?? UInt32.max))
        }
        if let mode {
            try check("fchmod", fchmod(fd, mode_t(mode & 0o7777)))
        }
        for attribute in xattrs {
            try ExtendedAttribute.set(attribute, fd: fd)
        }
        let access = atimeSeconds.map { timespec(tv_sec: Int($0), tv_nsec: Int(atimeNanoseconds)) }
            ?? timespec(tv_sec: 0, tv_nsec: LinuxCalls.timeOmit)
        let times = [access, timespec(tv_sec: Int(mtimeSeconds), tv_nsec: Int(mtimeNanoseconds))]
        try check("futimens", times.withUnsafeBufferPointer { futimens(fd, $0.baseAddress) })
    }
}
