/// The rule that keeps a hostile recovery point inside the restore target: every name is one
/// path component.
///
/// String-level sanitising of whole paths keeps failing (GNU tar, Python tarfile, rsync CVEs), so
/// Haven never builds paths from recovery-point data: each component is checked here and then used
/// with a directory descriptor, and the kernel's O_NOFOLLOW checks do the rest.
public enum SafeName {
    /// Linux's NAME_MAX: longer names fail in the kernel anyway; refusing them here gives a clear message.
    public static let maximumLength = 255

    /// Throws unless `name` is a single, non-empty component other than `.` and `..`, without `/` or NUL.
    public static func validate(_ name: [UInt8]) throws(RestoreSafetyError) {
        if let reason = problem(in: name) { throw RestoreSafetyError(reason: reason, name: name) }
    }

    /// Whether `validate` would accept `name`.
    public static func isSafe(_ name: [UInt8]) -> Bool {
        problem(in: name) == nil
    }

    static func problem(in name: [UInt8]) -> RestoreSafetyError.Reason? {
        switch name.count {
        case 0: return .empty
        case 1 where name[0] == 0x2E, 2 where name[0] == 0x2E && name[1] == 0x2E: return .dotName
        case maximumLength + 1 ... Int.max: return .tooLong
        default: break
        }
        for byte in name {
            if byte == 0x2F { return .containsSlash }
            if byte == 0 { return .containsNul }
        }
        return nil
    }
}

/// A name in a recovery point that restore refuses because it could reach outside the target.
public struct RestoreSafetyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why the name was refused; also the error's stable code.
    public enum Reason: String, Sendable, Equatable {
        case empty = "empty-name"
        case dotName = "dot-name"
        case containsSlash = "contains-slash"
        case containsNul = "contains-nul"
        case tooLong = "name-too-long"
    }

    public let reason: Reason
    /// The refused name, exactly as the recovery point holds it.
    public let name: [UInt8]

    public init(reason: Reason, name: [UInt8]) {
        self.reason = reason
        self.name = name
    }

    /// A stable identifier for logs and JSON, e.g. "contains-slash".
    public var code: String { reason.rawValue }

    public var description: String {
        let shown = "\"\(FileName.printable(name))\""
        let what = switch reason {
        case .empty: "an empty name"
        case .dotName: "the name \(shown), which means this or the parent directory"
        case .containsSlash: "the name \(shown), which contains \"/\""
        case .containsNul: "the name \(shown), which contains a NUL byte"
        case .tooLong: "a name of \(name.count) bytes (Linux allows \(SafeName.maximumLength)) starting \"\(FileName.printable(Array(name.prefix(40))))\""
        }
        return "The recovery point holds \(what); restoring it could write outside the target, so it was "
            + "skipped. The recovery point is damaged or was crafted; restore the other files, and verify the vault."
    }
}
