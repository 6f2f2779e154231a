import Glibc

/// Decides which paths a backup leaves out, by shell patterns (fnmatch).
///
/// - A pattern without "/" matches a name anywhere in the tree ("*.tmp", "node_modules").
/// - A pattern with "/" matches a whole absolute path ("/home/*/.cache", "/srv/data/*.tmp": `*` does not
///   cross "/", so the latter matches only files directly in /srv/data).
/// - `PREFIX/**/NAME` matches every path below PREFIX, at any depth, whose last component matches NAME
///   ("/srv/data/**/*.tmp": the MARS exclusion "*.tmp in /srv/data, with subfolders").
/// An excluded directory is not entered.
public struct ExcludeMatcher: Sendable {
    private struct Recursive: Sendable {
        /// The directory, with a trailing "/".
        let prefix: [UInt8]
        let name: [CChar]
    }

    private let namePatterns: [[CChar]]
    private let pathPatterns: [[CChar]]
    private let recursivePatterns: [Recursive]
    public let patterns: [String]

    public init(patterns: [String]) {
        self.patterns = patterns
        var names: [[CChar]] = [], paths: [[CChar]] = [], recursive: [Recursive] = []
        for pattern in patterns {
            if let marker = pattern.range(of: "/**/") {
                let prefix = Array(pattern[..<marker.lowerBound].utf8) + [UInt8(ascii: "/")]
                recursive.append(Recursive(prefix: prefix, name: Array(String(pattern[marker.upperBound...]).utf8CString)))
            } else if pattern.contains("/") {
                paths.append(Array(pattern.utf8CString))
            } else {
                names.append(Array(pattern.utf8CString))
            }
        }
        namePatterns = names
        pathPatterns = paths
        recursivePatterns = recursive
    }

    public var isEmpty: Bool { patterns.isEmpty }

    public func excludes(path: [UInt8], name: [UInt8]) -> Bool {
        var cName: [CChar] = []
        if !namePatterns.isEmpty || !recursivePatterns.isEmpty {
            cName = name.map { CChar(bitPattern: $0) } + [0]
        }
        for pattern in namePatterns where fnmatch(pattern, cName, 0) == 0 { return true }
        for rule in recursivePatterns where path.count > rule.prefix.count && path.starts(with: rule.prefix) {
            if fnmatch(rule.name, cName, 0) == 0 { return true }
        }
        if !pathPatterns.isEmpty {
            let cPath = path.map { CChar(bitPattern: $0) } + [0]
            for pattern in pathPatterns where fnmatch(pattern, cPath, FNM_PATHNAME) == 0 { return true }
        }
        return false
    }
}
