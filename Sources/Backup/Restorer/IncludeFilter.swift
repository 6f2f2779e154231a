/// Decides which parts of a recovery point a restore writes, from the paths the user picked.
struct IncludeFilter {
    enum Decision { case skip, descend, everything }

    private let includes: [[[UInt8]]]

    init(_ paths: [String]) {
        includes = paths.map { path in path.split(separator: "/").map { Array($0.utf8) } }
    }

    /// `.everything` inside a picked path, `.descend` on the way to one, `.skip` elsewhere.
    func decide(_ components: [[UInt8]]) -> Decision {
        if includes.isEmpty { return .everything }
        var decision = Decision.skip
        for include in includes {
            if include.count <= components.count {
                if Array(components.prefix(include.count)) == include { return .everything }
            } else if Array(include.prefix(components.count)) == components {
                decision = .descend
            }
        }
        return decision
    }
}
