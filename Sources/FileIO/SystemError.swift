#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which operation, on which path, and the errno it returned.
///
/// Every POSIX failure in Haven becomes this one type, so callers test `code` instead of parsing text,
/// and users read "open /srv/data/x: Permission denied" instead of a number.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The errno value.
    public let code: Int32
    /// The call that failed, e.g. "open" or "rename".
    public let operation: String
    /// The path the call was about, when there is one.
    public let path: String?

    public init(code: Int32, operation: String, path: String? = nil) {
        self.code = code
        self.operation = operation
        self.path = path
    }

    /// Captures the current `errno`.
    public static func current(_ operation: String, path: String? = nil) -> SystemError {
        SystemError(code: errno, operation: operation, path: path)
    }

    public var description: String {
        let reason = String(cString: strerror(code))
        if let path { return "\(operation) \(path): \(reason)" }
        return "\(operation): \(reason)"
    }

    public var isNotFound: Bool { code == ENOENT }
    public var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }
    public var isPermissionDenied: Bool { code == EACCES || code == EPERM }
    public var isExists: Bool { code == EEXIST }
}

extension FileIO {
    /// Runs a system call, retrying on EINTR, and throws `SystemError` when it returns -1.
    @inlinable
    @discardableResult
    public static func call<T: FixedWidthInteger>(
        _ operation: String, path: String? = nil, _ body: () -> T
    ) throws(SystemError) -> T {
        while true {
            let result = body()
            if result != -1 { return result }
            if errno == EINTR { continue }
            throw SystemError.current(operation, path: path)
        }
    }
}
