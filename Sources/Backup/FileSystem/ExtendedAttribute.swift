#if canImport(Glibc)
import Glibc
#endif
import FileIO
import Repository

/// One extended attribute, name and value as opaque bytes; POSIX ACLs are the attributes
/// `system.posix_acl_access` and `system.posix_acl_default`.
extension ExtendedAttribute {
    public static let accessACL = Array("system.posix_acl_access".utf8)
    public static let defaultACL = Array("system.posix_acl_default".utf8)

    /// The attributes of an open file or directory (`flistxattr`/`fgetxattr`), sorted by name;
    /// empty when the filesystem has none or does not support them.
    public static func all(fd: Int32) throws(SystemError) -> [ExtendedAttribute] {
        guard let list = LinuxCalls.flistxattr, let get = LinuxCalls.fgetxattr else {
            throw SystemError(code: ENOSYS, operation: "flistxattr")
        }
        return try readAll(
            list: { list(fd, $0, $1) },
            get: { get(fd, $0, $1, $2) },
            path: nil)
    }

    /// Sets one attribute on an open file or directory (`fsetxattr`), replacing any previous value.
    public static func set(_ attribute: ExtendedAttribute, fd: Int32) throws(SystemError) {
        guard let set = LinuxCalls.fsetxattr else { throw SystemError(code: ENOSYS, operation: "fsetxattr") }
        try checkName(attribute.name, operation: "fsetxattr", path: nil)
        try FileIO.call("fsetxattr \(FileName.printable(attribute.name))") {
            withCName(attribute.name) { name in
                attribute.value.withUnsafeBytes { set(fd, name, $0.baseAddress, $0.count, 0) }
            }
        }
    }

    static func checkName(_ name: [UInt8], operation: String, path: String?) throws(SystemError) {
        if name.isEmpty || name.contains(0) {
            throw SystemError(code: EINVAL, operation: "\(operation) (attribute name empty or with NUL)", path: path)
        }
    }

    /// The list-then-get loop shared by the fd and path variants. Sizes are asked first; when an
    /// attribute grows in between (ERANGE) the step is retried, and one that vanished (ENODATA) is skipped.
    static func readAll(
        list: (UnsafeMutablePointer<CChar>?, Int) -> Int,
        get: (UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int,
        path: String?
    ) throws(SystemError) -> [ExtendedAttribute] {
        var names: [UInt8] = []
        while true {
            let needed = list(nil, 0)
            if needed == -1 {
                if errno == ENOTSUP { return [] }
                if errno == EINTR { continue }
                throw SystemError.current("listxattr", path: path)
            }
            if needed == 0 { return [] }
            names = [UInt8](repeating: 0, count: needed)
            let count = names.withUnsafeMutableBytes { list($0.baseAddress!.assumingMemoryBound(to: CChar.self), needed) }
            if count >= 0 { names.removeLast(needed - count); break }
            if errno != ERANGE && errno != EINTR { throw SystemError.current("listxattr", path: path) }
        }
        var attributes: [ExtendedAttribute] = []
        for name in names.split(separator: 0, omittingEmptySubsequences: true) {
            let name = Array(name)
            if let value = try value(of: name, get: get, path: path) {
                attributes.append(ExtendedAttribute(name: name, value: value))
            }
        }
        attributes.sort { $0.name.lexicographicallyPrecedes($1.name) }
        return attributes
    }

    private static func value(
        of name: [UInt8], get: (UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int, path: String?
    ) throws(SystemError) -> [UInt8]? {
        try withCName(name) { (cName) throws(SystemError) -> [UInt8]? in
            while true {
                let needed = get(cName, nil, 0)
                if needed == -1 {
                    if errno == ENODATA { return nil }
                    if errno == EINTR { continue }
                    throw SystemError.current("getxattr \(FileName.printable(name))", path: path)
                }
                var value = [UInt8](repeating: 0, count: needed)
                let count = value.withUnsafeMutableBytes { get(cName, $0.baseAddress, needed) }
                if count >= 0 { return Array(value.prefix(count)) }
                if errno == ENODATA { return nil }
                if errno != ERANGE && errno != EINTR {
                    throw SystemError.current("getxattr \(FileName.printable(name))", path: path)
                }
            }
        }
    }
}
