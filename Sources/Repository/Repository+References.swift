import ObjectStore

/// What a recovery point needs in the store: the packs holding its blobs and the index objects locating them.
extension Repository {
    /// Every object a restore of `point` needs besides the point itself, packs (`data`) first, each kind sorted.
    ///
    /// Walks the point's trees from the root (each distinct tree once): every tree blob and every file's content
    /// blob maps to its pack through the index, and every pack to the index object that locates its blobs. A tree
    /// in `treeLinks` is not read again: a backup that changed little reads only its new trees.
    /// Throws `missing` when a blob is in no index or a pack in no stored index object.
    public func references(of point: RecoveryPoint) throws -> [ObjectKey] {
        guard let root = point.treeID else {
            throw RepositoryError(.corrupt, "the recovery point names an invalid root tree \"\(point.tree)\"")
        }
        let reader = makeBlobReader()
        var packs = Set<String>()
        var visited = Set<BlobID>()
        var pending = [root]
        func addPack(of blob: BlobID, in tree: BlobID) throws {
            guard let location = index.location(of: blob) else {
                throw RepositoryError(.missing, "blob \(blob) of tree \(tree) is not in the index; run `haven check`")
            }
            packs.insert(location.pack)
        }
        while let tree = pending.popLast() {
            guard visited.insert(tree).inserted else { continue }
            try addPack(of: tree, in: tree)
            let links = try treeLinks?.links(of: tree) ?? {
                let links = TreeLinkCache.Links(try reader.loadTree(tree).nodes)
                treeLinks?.remember(links, of: tree)
                return links
            }()
            for blob in links.content { try addPack(of: blob, in: tree) }
            pending.append(contentsOf: links.subtrees)
        }
        var indexes = Set<String>()
        for pack in packs {
            guard let name = index.indexObject(ofPack: pack) else {
                throw RepositoryError(.missing, "pack \(pack.prefix(16)) is listed by no stored index object; "
                    + "the backup that wrote it did not finish; run the backup again")
            }
            indexes.insert(name)
        }
        return try packs.sorted().map { try ObjectKey(.data, $0) } + indexes.sorted().map { try ObjectKey(.index, $0) }
    }

    /// Notes a tree a backup just stored as `id`, so committing its point does not read it back from the store.
    public func noteStoredTree(_ tree: Tree, id: BlobID) {
        treeLinks?.remember(TreeLinkCache.Links(tree.nodes), of: id)
    }
}
