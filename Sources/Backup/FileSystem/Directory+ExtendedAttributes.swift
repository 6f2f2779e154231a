#if canImport(Glibc)
import Glibc
#endif
import FileIO
import Repository

/// Extended attributes (and so POSIX ACLs) of a directory's entries, reached without following symlinks.
extension Directory {
    /// The attributes of `name` itself (a symlink's own, not its target's), sorted by name; empty
    /// when the filesystem does not support them. Reached as `/proc/self/fd/<fd>/<name>` with
    /// `llistxattr`/`lgetxattr`, so this needs /proc, as every systemd machine has.
    public func extendedAttributes(of name: [UInt8]) throws(SystemError) -> [ExtendedAttribute] {
        guard let list = LinuxCalls.llistxattr, let get = LinuxCalls.lgetxattr else {
            throw SystemError(code: ENOSYS, operation: "llistxattr", path: displayPath(name))
        }
        try checkEntryName(name, operation: "llistxattr")
        return try LinuxCalls.withEntryPath(fd: fd, name: name) { (entry) throws(SystemError) in
            try ExtendedAttribute.readAll(
                list: { list(entry, $0, $1) },
                get: { get(entry, $0, $1, $2) },
                path: displayPath(name))
        }
    }

    /// The attributes of this directory itself.
    public func extendedAttributes() throws(SystemError) -> [ExtendedAttribute] {
        do {
            return try ExtendedAttribute.all(fd: fd)
        } catch {
            throw SystemError(code: error.code, operation: error.operation, path: FileName.printable(path))
        }
    }

    /// Sets one attribute on `name` itself without following a symlink (`lsetxattr`).
    public func setExtendedAttribute(_ attribute: ExtendedAttribute, on name: [UInt8]) throws(SystemError) {
        guard let set = LinuxCalls.lsetxattr else {
            throw SystemError(code: ENOSYS, operation: "lsetxattr", path: displayPath(name))
        }
        try checkEntryName(name, operation: "lsetxattr")
        try ExtendedAttribute.checkName(attribute.name, operation: "lsetxattr", path: displayPath(name))
        let result = LinuxCalls.withEntryPath(fd: fd, name: name) { entry in
            withCName(attribute.name) { attributeName in
                attribute.value.withUnsafeBytes { value in
                    set(entry, attributeName, value.baseAddress, value.count, 0)
                }
            }
        }
        if result == -1 {
            throw SystemError.current("lsetxattr \(FileName.printable(attribute.name))", path: displayPath(name))
        }
    }

    func checkEntryName(_ name: [UInt8], operation: String) throws(SystemError) {
        guard SafeName.isSafe(name) else {
            throw SystemError(code: EINVAL, operation: "\(operation) (unsafe name)", path: displayPath(name))
        }
    }
}
