/// RoutePattern owns the path patterns of routes: literal segments, `:param` segments and a trailing `*rest`.

/// A parsed path pattern such as `/vaults/:name/points` or `/help/*page`.
///
/// Paths are compared segment by segment after libmicrohttpd's percent-decoding, so a parameter never
/// spans a `/`; `*rest` captures the remaining segments (possibly none) joined with `/`. A trailing
/// slash is ignored on both sides: `/vaults/` matches `/vaults`.
public struct RoutePattern: Sendable, Equatable, CustomStringConvertible {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case rest(String)
    }

    let segments: [Segment]
    /// The pattern as written.
    public let description: String

    /// Parses a pattern; a malformed one (no leading `/`, `*rest` not last, an empty or repeated name)
    /// is a programming error and stops the program when routes are registered.
    public init(_ pattern: String) {
        precondition(pattern.hasPrefix("/"), "route pattern \"\(pattern)\" must start with /")
        var segments: [Segment] = []
        var names: Set<String> = []
        let parts = Self.split(pattern)
        for (index, part) in parts.enumerated() {
            if let first = part.first, first == ":" || first == "*" {
                let name = String(part.dropFirst())
                precondition(!name.isEmpty && names.insert(name).inserted,
                             "route pattern \"\(pattern)\" has an empty or repeated parameter name")
                if first == "*" {
                    precondition(index == parts.count - 1, "route pattern \"\(pattern)\": *\(name) must be the last segment")
                    segments.append(.rest(name))
                } else {
                    segments.append(.parameter(name))
                }
            } else {
                segments.append(.literal(part))
            }
        }
        self.segments = segments
        self.description = pattern
    }

    /// The parameters captured from `path`, or nil when the path does not match.
    public func match(_ path: String) -> [String: String]? {
        let parts = Self.split(path)
        var parameters: [String: String] = [:]
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .rest(let name):
                parameters[name] = parts.dropFirst(index).joined(separator: "/")
                return parameters
            case .literal(let text):
                guard index < parts.count, parts[index] == text else { return nil }
            case .parameter(let name):
                guard index < parts.count, !parts[index].isEmpty else { return nil }
                parameters[name] = parts[index]
            }
        }
        return parts.count == segments.count ? parameters : nil
    }

    /// The segments between slashes, without the empty one before the leading `/` or after a trailing one.
    static func split(_ path: String) -> [String] {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.first == "" { parts.removeFirst() }
        if parts.last == "" { parts.removeLast() }
        return parts
    }
}
