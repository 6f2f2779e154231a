import Glibc
import Repository

/// An entry of a recovery point with its absolute path inside it.
public struct BrowsedEntry: Sendable {
    /// Components from the root, as raw bytes.
    public var components: [[UInt8]]
    public var node: Node

    public var path: String { "/" + components.map { Node.display($0) }.joined(separator: "/") }
}

/// Walks the trees of recovery points: listing, finding and comparing; caches trees it has read.
public final class TreeWalker {
    private let reader: BlobReader
    private var cache: [BlobID: Tree] = [:]

    public init(repository: Repository) {
        reader = repository.makeBlobReader()
    }

    public func tree(_ id: BlobID) throws -> Tree {
        if let cached = cache[id] { return cached }
        let tree = try reader.loadTree(id)
        if cache.count > 100_000 { cache.removeAll() }
        cache[id] = tree
        return tree
    }

    /// The entries under `path` ("/" for all), depth first, parents before children.
    public func list(_ point: StoredRecoveryPoint, under path: String = "/", _ visit: (BrowsedEntry) throws -> Void) throws {
        guard let root = point.point.treeID else {
            throw RepositoryError(.corrupt, "recovery point \(point.shortID) names no valid root tree")
        }
        let wanted = path.split(separator: "/").map { Array($0.utf8) }
        var treeID = root
        var prefix: [[UInt8]] = []
        for (position, name) in wanted.enumerated() {
            guard let node = try tree(treeID).node(named: name) else {
                throw RepositoryError(.invalidArgument, "\(path) is not in recovery point \(point.shortID)")
            }
            prefix.append(name)
            if position == wanted.count - 1 {
                try visit(BrowsedEntry(components: prefix, node: node))
            }
            guard let subtree = node.subtree else {
                if position == wanted.count - 1 { return }
                throw RepositoryError(.invalidArgument, "\(path) is not in recovery point \(point.shortID)")
            }
            treeID = subtree
        }
        try walk(treeID, prefix: prefix, visit)
    }

    private func walk(_ id: BlobID, prefix: [[UInt8]], _ visit: (BrowsedEntry) throws -> Void) throws {
        for node in try tree(id).nodes {
            let components = prefix + [node.name]
            try visit(BrowsedEntry(components: components, node: node))
            if let subtree = node.subtree { try walk(subtree, prefix: components, visit) }
        }
    }

    /// Entries whose name (or, for patterns with "/", whose path) matches a shell pattern.
    public func find(_ pattern: String, in point: StoredRecoveryPoint, _ visit: (BrowsedEntry) throws -> Void) throws {
        let cPattern = Array(pattern.utf8CString)
        let byPath = pattern.contains("/")
        try list(point) { entry in
            let subject = byPath ? Array(entry.path.utf8) : entry.components.last ?? []
            let cSubject = subject.map { CChar(bitPattern: $0) } + [0]
            if fnmatch(cPattern, cSubject, byPath ? FNM_PATHNAME : 0) == 0 { try visit(entry) }
        }
    }
}
