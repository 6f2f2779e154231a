/// Optimized mode: list only the directories the change journal names, take every other directory from the parent
/// recovery point as it was, and keep the recovery point's figures right without walking what was not listed.
import FileIO
import Glibc
import Repository

/// The directories an optimized backup lists, and those above them that it walks through.
struct OptimizedScope {
    /// Paths of the directories to list, as bytes without a trailing slash ("/" is the empty path).
    let changed: Set<[UInt8]>
    /// Every directory above one of `changed`: walked through to reach it, from the parent's listing.
    let ancestors: Set<[UInt8]>

    init(changed paths: Set<String>) {
        var changed: Set<[UInt8]> = [], ancestors: Set<[UInt8]> = []
        for path in paths {
            let bytes = path == "/" ? [] : Array(path.utf8.reversed().drop { $0 == UInt8(ascii: "/") }.reversed())
            changed.insert(bytes)
            var cut = bytes
            while let slash = cut.lastIndex(of: UInt8(ascii: "/")) {
                cut = Array(cut[..<slash])
                ancestors.insert(cut)
            }
        }
        self.changed = changed
        self.ancestors = ancestors
    }

    /// Whether the directory at `path` must be opened: it changed, or something below it did.
    func mustVisit(_ path: [UInt8]) -> Bool { changed.contains(path) || ancestors.contains(path) }
}

/// Thrown inside an optimized backup when only a full listing can be right; `run()` starts again unoptimized.
struct NeedsFullScan: Error {}

extension Archiver {
    /// Lists the directory (unoptimized mode, a directory the journal names, or one with nothing to compare with);
    /// walks through it from the parent's listing (a directory above a changed one); or takes it as it was.
    func descend(_ directory: WalkedDirectory, listed: Result<DirectoryListing, SystemError>? = nil,
                 into pending: PendingDirectory, path: [UInt8], pool: WorkerPool<FileSaver>) throws {
        guard let scope, !pending.listsAll, let previous = pending.previous, !scope.changed.contains(path) else {
            return try scan(directory, listed: listed, into: pending, path: path, pool: pool)
        }
        pending.previous = nil
        guard scope.ancestors.contains(path) else {
            pending.nodes = previous.nodes
            return
        }
        for node in previous.nodes {
            let childPath = path + [UInt8(ascii: "/")] + node.name
            guard node.kind == .directory, scope.mustVisit(childPath) else {
                pending.nodes.append(node)
                continue
            }
            let opened: Directory
            do { opened = try Directory.open(at: directory.directory, name: node.name) } catch {
                // Gone without an event for its parent (a race with the journal): list everything to be sure.
                throw NeedsFullScan()
            }
            let status = try opened.status()
            guard status.kind == .directory, status.inode == node.inode else { throw NeedsFullScan() }
            var xattrs = node.xattrs
            if !node.hasSameStatus(as: status) {
                do { xattrs = try directory.directory.extendedAttributes(of: node.name) } catch {
                    warn(childPath, "extended attributes not saved: \(error)")
                    xattrs = []
                }
            }
            var fresh = makeNode(node.name, status, path: childPath, xattrs: xattrs)
            var comparable = node
            comparable.subtree = nil
            if fresh != comparable { pending.modified = true }
            fresh.subtree = nil
            let (tree, id) = subtree(of: node)
            let child = pending.addSubdirectory(fresh, previous: tree, id: id)
            try descend(WalkedDirectory(opened), into: child, path: childPath, pool: pool)
            try finished(child, pool: pool)
        }
    }

    /// A directory listed again: its entries' figures in the parent point leave the total (the listing adds them back).
    func subtractEntries(of previous: Tree) {
        for node in previous.nodes { subtract(node) }
    }

    /// The subdirectories of a listed directory that were not carried on: their whole subtrees leave the total.
    func subtractLeftSubtrees(of previous: Tree, continued: Set<[UInt8]>) throws {
        for node in previous.nodes where node.kind == .directory && !continued.contains(node.name) {
            if let id = node.subtree { try subtractTree(id) }
        }
    }

    private func subtractTree(_ id: BlobID) throws {
        for node in try reader.loadTree(id).nodes {
            subtract(node)
            if node.kind == .directory, let child = node.subtree { try subtractTree(child) }
        }
    }

    private func subtract(_ node: Node) {
        switch node.kind {
        case .regular:
            removed.files += 1
            removed.bytes += node.size
        case .directory: removed.directories += 1
        default: removed.otherEntries += 1
        }
    }

    /// The figures of an optimized point: the parent's, less what was listed again or left, plus what was listed.
    func combine(withParent base: RecoveryPoint.Summary) {
        summary.files = base.files - removed.files + summary.files
        summary.bytes = base.bytes - removed.bytes + summary.bytes
        summary.directories = base.directories - removed.directories + summary.directories
        summary.otherEntries = base.otherEntries - removed.otherEntries + summary.otherEntries
        summary.filesUnchanged = summary.files - summary.filesNew - summary.filesChanged
    }
}
