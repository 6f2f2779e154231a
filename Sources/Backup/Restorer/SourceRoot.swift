import Repository

/// The folder of a recovery point that a restore puts at the target itself (a volume's mount point, so the volume's
/// contents land directly in the target rather than under TARGET/mount/point).
///
/// The path is the operator's; the trees it leads through are the recovery point's, so each step is looked up by
/// exact name and must be a directory with a subtree: nothing is built from the point's names.
struct SourceRoot {
    /// The path's components; empty for "/", the point's own root.
    let components: [[UInt8]]

    init(_ path: String) throws {
        guard path.hasPrefix("/"), !path.utf8.contains(0) else {
            throw RepositoryError(.invalidArgument, "the folder to restore as the target must be an absolute path inside the "
                + "recovery point, such as /srv; got \(String(reflecting: path))")
        }
        components = path.split(separator: "/").map { Array($0.utf8) }
        for name in components where !SafeName.isSafe(name) {
            throw RepositoryError(.invalidArgument, "the folder to restore as the target must not contain \".\" or \"..\"; got \(path)")
        }
    }

    var display: String { "/" + components.map { FileName.printable($0) }.joined(separator: "/") }

    /// The tree of the folder and its own node (nil for "/", which has no node), walking down from the root tree.
    func resolve(from root: Tree, reader: BlobReader, point: StoredRecoveryPoint) throws -> (tree: Tree, node: Node?) {
        var tree = root
        var node: Node?
        for name in components {
            guard let next = tree.node(named: name), next.kind == .directory, let subtree = next.subtree else {
                throw RepositoryError(.invalidArgument, "\(display) is not a folder of recovery point \(point.shortID)")
            }
            tree = try reader.loadTree(subtree)
            node = next
        }
        return (tree, node)
    }

    /// Checks that every include is the folder, inside it, or a parent of it: an include elsewhere would restore nothing.
    func check(includes: [String]) throws {
        for include in includes {
            let parts = include.split(separator: "/").map { Array($0.utf8) }
            let related = parts.count >= components.count
                ? Array(parts.prefix(components.count)) == components
                : Array(components.prefix(parts.count)) == parts
            guard related else {
                throw RepositoryError(.invalidArgument, "\(include) is not inside \(display), the folder restored as the target")
            }
        }
    }
}
