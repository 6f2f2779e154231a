import FileIO
import Glibc
import Repository

/// Restores a recovery point, or parts of it, under a target directory.
///
/// Every recovery point is treated as hostile: names are validated, every entry is created relative to an
/// open directory without following symlinks, existing entries are never opened for writing (they are
/// kept, removed, or left beside a copy), and symlinks and hard links are made last.
public final class Restorer {
    let repository: Repository
    let point: StoredRecoveryPoint
    let options: RestoreOptions
    private let filter: IncludeFilter
    /// The components of `options.sourceRoot` (empty without one): what the filter sees above the target.
    private var prefix: [[UInt8]] = []
    private let reader: BlobReader
    private let umask: UInt32
    private let isRoot = geteuid() == 0
    private var result = RestoreResult()
    private var jobs: [RestoreJob] = []
    private var batch = RestoreBatch()
    /// Hard links and symlinks, made after every file exists.
    private var deferredLinks: [(parent: [[UInt8]], name: [UInt8], node: Node)] = []
    /// Directories whose metadata is set at the end, deepest first (writing into them changes their times).
    private var directories: [(parent: [[UInt8]], name: [UInt8], node: Node)] = []
    /// The first path restored for each (device, inode) of a hard-linked file.
    private var linkOrigins: [HardLinkKey: [[UInt8]]] = [:]

    struct HardLinkKey: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    public init(repository: Repository, point: StoredRecoveryPoint, options: RestoreOptions) {
        self.repository = repository
        self.point = point
        self.options = options
        filter = IncludeFilter(options.includes)
        reader = repository.makeBlobReader()
        let mask = Glibc.umask(0o022)
        Glibc.umask(mask)
        umask = UInt32(mask)
    }

    public func run() throws -> RestoreResult {
        guard let rootID = point.point.treeID else {
            throw RepositoryError(.corrupt, "recovery point \(point.shortID) names no valid root tree")
        }
        for include in options.includes where !include.hasPrefix("/") {
            throw RepositoryError(.invalidArgument, "--include \(include): give the absolute path inside the recovery point")
        }
        var tree = try reader.loadTree(rootID)
        var rootNode: Node?
        if let path = options.sourceRoot {
            let sourceRoot = try SourceRoot(path)
            try sourceRoot.check(includes: options.includes)
            (tree, rootNode) = try sourceRoot.resolve(from: tree, reader: reader, point: point)
            prefix = sourceRoot.components
        }
        do { try FileIO.makeDirectories(options.target, mode: 0o700) } catch {
            throw RepositoryError(.invalidArgument, "cannot create the restore target \(options.target): \(error)")
        }
        let target: Directory
        do { target = try Directory.open(path: options.target) } catch {
            throw RepositoryError(.invalidArgument, "cannot open the restore target \(options.target): \(error)")
        }
        let root = SharedDirectory(target, components: [], isNew: false)
        let repository = self.repository
        let permissions = options.restorePermissions
        let umask = self.umask
        let progress = options.progress
        let pool = WorkerPool(threads: options.threads, capacity: 8) {
            FileRestorer(reader: repository.makeBlobReader(), restorePermissions: permissions, umask: umask, progress: progress)
        }
        do {
            try restore(tree: tree, into: root, pool: pool)
            if !batch.jobs.isEmpty { try pool.submit(batch) }
        } catch {
            try? pool.finish()
            throw error
        }
        try pool.finish()
        try options.progress?.checkCancelled()
        for job in jobs {
            if let warning = job.warning {
                result.warnings.append(BackupWarning(path: job.displayPath, message: warning))
            } else {
                result.files += 1
                result.bytes += job.written
            }
        }
        jobs = []
        makeDeferredLinks(root: root)
        for entry in directories.reversed() {
            applyMetadata(entry.node, to: entry.name, in: entry.parent, root: root)
        }
        // The folder restored as the target is the volume's root: its metadata goes on the target when it was chosen
        // whole. Without permissions only its times: the target's own mode is not the restore's to reset.
        if let rootNode, filter.decide(prefix) == .everything {
            var metadata = FileRestorer.metadata(of: rootNode, permissions: options.restorePermissions, umask: umask, isRoot: isRoot)
            if !options.restorePermissions { metadata.mode = nil }
            do { try metadata.apply(toOpenFile: root.directory.fd, path: options.target) } catch {
                result.warnings.append(BackupWarning(path: "/", message: "restored, but the target folder's metadata could not be set: \(error)"))
            }
        }
        return result
    }

    private func warn(_ components: [[UInt8]], _ message: String) {
        let path = "/" + components.map { FileName.printable($0) }.joined(separator: "/")
        result.warnings.append(BackupWarning(path: path, message: message))
    }

    private func restore(tree: Tree, into parent: SharedDirectory, pool: WorkerPool<FileRestorer>) throws {
        for node in tree.nodes {
            try options.progress?.checkCancelled()
            let components = parent.components + [node.name]
            let decision = filter.decide(prefix + components)
            if decision == .skip { continue }
            do { try SafeName.validate(node.name) } catch {
                warn(parent.components, "refused an entry of the recovery point: \(error)")
                continue
            }
            if node.kind == .directory {
                try restoreDirectory(node, into: parent, decision: decision, pool: pool)
            } else if decision == .everything {
                try restoreEntry(node, into: parent, pool: pool)
            }
        }
    }

    private func restoreDirectory(_ node: Node, into parent: SharedDirectory, decision: IncludeFilter.Decision,
                                  pool: WorkerPool<FileRestorer>) throws {
        var name = node.name
        if !parent.isNew, let existing = parent.directory.exists(name), existing.kind != .directory {
            guard let resolved = resolveConflict(node.name, in: parent) else { return }
            name = resolved
        }
        var created = false
        if parent.isNew || parent.directory.exists(name) == nil {
            do { try parent.directory.makeDirectory(name, mode: 0o700) } catch {
                warn(parent.components + [name], "not restored: \(error)")
                return
            }
            created = true
        }
        let opened: Directory
        do { opened = try Directory.open(at: parent.directory, name: name) } catch {
            warn(parent.components + [name], "not restored: \(error)")
            return
        }
        result.directories += 1
        // Directories on the way to a chosen path that existed already keep their own metadata.
        if created || decision == .everything { directories.append((parent.components, name, node)) }
        guard let subtree = node.subtree else { return }
        let tree: Tree
        do { tree = try reader.loadTree(subtree) } catch {
            warn(parent.components + [name], "its contents cannot be restored: \(error)")
            return
        }
        try restore(tree: tree, into: SharedDirectory(opened, components: parent.components + [name], isNew: created), pool: pool)
    }

    /// Applies the conflict policy to an existing entry; returns the name to restore under, or nil to skip.
    private func resolveConflict(_ name: [UInt8], in parent: SharedDirectory) -> [UInt8]? {
        switch options.conflict {
        case .skip:
            result.skipped += 1
            return nil
        case .overwrite:
            do { try parent.directory.remove(name) } catch {
                warn(parent.components + [name], "not restored: the existing entry cannot be replaced: \(error)")
                return nil
            }
            return name
        case .copy:
            let base = Array("\(options.copyStamp) Copy of ".utf8) + name
            var candidate = base
            var attempt = 2
            while parent.directory.exists(candidate) != nil {
                candidate = base + Array(" (\(attempt))".utf8)
                attempt += 1
            }
            guard candidate.count <= SafeName.maximumLength else {
                warn(parent.components + [name], "not restored: the name of its copy would be too long")
                return nil
            }
            result.copies.append(FileName.printable(Array((parent.components + [candidate]).joined(separator: [UInt8(ascii: "/")]))))
            return candidate
        }
    }

    private func restoreEntry(_ node: Node, into parent: SharedDirectory, pool: WorkerPool<FileRestorer>) throws {
        var name = node.name
        if !parent.isNew && parent.directory.exists(name) != nil {
            guard let resolved = resolveConflict(name, in: parent) else { return }
            name = resolved
        }
        if node.kind == .regular && node.links > 1 {
            let key = HardLinkKey(device: node.device, inode: node.inode)
            if linkOrigins[key] != nil {
                deferredLinks.append((parent.components, name, node))
                return
            }
            linkOrigins[key] = parent.components + [name]
        }
        switch node.kind {
        case .regular:
            let job = RestoreJob(parent: parent, name: name, node: node)
            jobs.append(job)
            batch.jobs.append(job)
            batch.bytes += node.size
            if batch.isFull {
                try pool.submit(batch)
                batch = RestoreBatch()
            }
        case .symlink:
            deferredLinks.append((parent.components, name, node))
        case .fifo, .socket, .characterDevice, .blockDevice:
            do {
                try parent.directory.makeNode(name, kind: FileKind(rawValue: node.kind.rawValue)!, mode: 0o600, rdev: node.rdev)
                result.otherEntries += 1
                applyMetadata(node, to: name, in: parent.directory, components: parent.components)
            } catch {
                warn(parent.components + [name], "not restored: \(error)")
            }
        case .directory:
            break
        }
    }

    /// Reopens a directory below the target by its components, never following a symlink.
    private func reopen(_ components: [[UInt8]], root: SharedDirectory) throws -> Directory {
        var current = try Directory.open(at: root.directory, name: components[0])
        for name in components.dropFirst() {
            current = try Directory.open(at: current, name: name)
        }
        return current
    }

    private func withDirectory(_ components: [[UInt8]], root: SharedDirectory, _ body: (borrowing Directory) throws -> Void) throws {
        if components.isEmpty {
            try body(root.directory)
        } else {
            let directory = try reopen(components, root: root)
            try body(directory)
        }
    }

    private func makeDeferredLinks(root: SharedDirectory) {
        for (parent, name, node) in deferredLinks {
            do {
                try withDirectory(parent, root: root) { directory in
                    if node.kind == .symlink {
                        try directory.makeSymlink(name, target: node.linkTarget)
                        result.otherEntries += 1
                        applyMetadata(node, to: name, in: directory, components: parent)
                    } else {
                        let origin = linkOrigins[HardLinkKey(device: node.device, inode: node.inode)]!
                        try withDirectory(Array(origin.dropLast()), root: root) { originDirectory in
                            try directory.makeHardLink(name, to: origin.last!, in: originDirectory)
                        }
                        result.files += 1
                    }
                }
            } catch {
                warn(parent + [name], "not restored: \(error)")
            }
        }
    }

    private func applyMetadata(_ node: Node, to name: [UInt8], in parent: [[UInt8]], root: SharedDirectory) {
        do {
            try withDirectory(parent, root: root) { directory in
                applyMetadata(node, to: name, in: directory, components: parent)
            }
        } catch {
            warn(parent + [name], "its metadata could not be set: \(error)")
        }
    }

    private func applyMetadata(_ node: Node, to name: [UInt8], in directory: borrowing Directory, components: [[UInt8]]) {
        let metadata = FileRestorer.metadata(of: node, permissions: options.restorePermissions, umask: umask, isRoot: isRoot)
        do { try directory.applyMetadata(to: name, metadata) } catch {
            warn(components + [name], "restored, but its metadata could not be set: \(error)")
        }
    }
}
