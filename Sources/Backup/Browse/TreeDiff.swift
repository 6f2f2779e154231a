import Repository

/// One difference between two recovery points.
public struct Difference: Sendable {
    public enum Change: String, Sendable {
        /// Only in the second recovery point.
        case added = "+"
        /// Only in the first.
        case removed = "-"
        /// Content changed.
        case modified = "M"
        /// Only metadata changed (mode, owner, times, attributes).
        case metadata = "U"
        /// The type changed (a file became a directory, ...).
        case type = "T"
    }

    public var change: Change
    public var path: String
}

extension TreeWalker {
    /// The differences between two recovery points; identical subtrees are skipped by id without being read.
    public func diff(_ first: StoredRecoveryPoint, _ second: StoredRecoveryPoint) throws -> [Difference] {
        guard let a = first.point.treeID, let b = second.point.treeID else {
            throw RepositoryError(.corrupt, "a recovery point names no valid root tree")
        }
        var out: [Difference] = []
        try compare(a, b, prefix: [], into: &out)
        return out
    }

    private func compare(_ a: BlobID?, _ b: BlobID?, prefix: [[UInt8]], into out: inout [Difference]) throws {
        if a == b { return }
        let left = try a.map { try tree($0).nodes } ?? []
        let right = try b.map { try tree($0).nodes } ?? []
        var i = 0
        var j = 0
        while i < left.count || j < right.count {
            let l = i < left.count ? left[i] : nil
            let r = j < right.count ? right[j] : nil
            if let l, r == nil || l.name.lexicographicallyPrecedes(r!.name) {
                try report(l, .removed, prefix: prefix, into: &out)
                i += 1
            } else if let r, l == nil || r.name.lexicographicallyPrecedes(l!.name) {
                try report(r, .added, prefix: prefix, into: &out)
                j += 1
            } else if let l, let r {
                let path = prefix + [l.name]
                if l.kind != r.kind {
                    out.append(Difference(change: .type, path: display(path)))
                } else if l.content != r.content || l.linkTarget != r.linkTarget || l.size != r.size || l.rdev != r.rdev {
                    out.append(Difference(change: .modified, path: display(path)))
                } else if l.mode != r.mode || l.uid != r.uid || l.gid != r.gid || l.mtimeSeconds != r.mtimeSeconds
                    || l.mtimeNanoseconds != r.mtimeNanoseconds || l.xattrs != r.xattrs {
                    out.append(Difference(change: .metadata, path: display(path)))
                }
                if l.kind == .directory || r.kind == .directory {
                    try compare(l.kind == .directory ? l.subtree : nil, r.kind == .directory ? r.subtree : nil,
                                prefix: path, into: &out)
                }
                i += 1
                j += 1
            }
        }
    }

    private func report(_ node: Node, _ change: Difference.Change, prefix: [[UInt8]], into out: inout [Difference]) throws {
        let path = prefix + [node.name]
        out.append(Difference(change: change, path: display(path)))
        guard let subtree = node.subtree else { return }
        for child in try tree(subtree).nodes { try report(child, change, prefix: path, into: &out) }
    }

    private func display(_ components: [[UInt8]]) -> String {
        "/" + components.map { Node.display($0) }.joined(separator: "/")
    }
}
