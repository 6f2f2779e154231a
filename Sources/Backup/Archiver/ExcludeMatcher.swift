import Glibc

/// Decides which paths a backup leaves out, by shell patterns (fnmatch).
///
/// A pattern without "/" matches a name anywhere in the tree ("*.tmp", "node_modules"); a pattern with
/// "/" matches a whole absolute path ("/home/*/.cache"). An excluded directory is not entered.
public struct ExcludeMatcher: Sendable {
    private let namePatterns: [[CChar]]
    private let pathPatterns: [[CChar]]
    public let patterns: [String]

    public init(patterns: [String]) {
        self.patterns = patterns
        namePatterns = patterns.filter { !$0.contains("/") }.map { Array($0.utf8CString) }
        pathPatterns = patterns.filter { $0.contains("/") }.map { Array($0.utf8CString) }
    }

    public var isEmpty: Bool { patterns.isEmpty }

    public func excludes(path: [UInt8], name: [UInt8]) -> Bool {
        if !namePatterns.isEmpty {
            let cName = name.map { CChar(bitPattern: $0) } + [0]
            for pattern in namePatterns where fnmatch(pattern, cName, 0) == 0 { return true }
        }
        if !pathPatterns.isEmpty {
            let cPath = path.map { CChar(bitPattern: $0) } + [0]
            for pattern in pathPatterns where fnmatch(pattern, cPath, FNM_PATHNAME) == 0 { return true }
        }
        return false
    }
}
