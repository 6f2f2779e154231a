import FileIO
import Glibc
import Repository

/// Backs up directory trees into a new recovery point: walk, compare with the parent, read what changed, commit.
///
/// The walking thread decides, directory by directory in tree order, what each entry is and whether it changed;
/// listing threads (`ParallelWalk`) list and stat the directories just ahead of it; worker threads read, chunk,
/// compress, encrypt and pack files. The walker writes each directory's tree once its walk ended and its files are
/// stored (`Archiver+Trees`), so memory follows the files in flight, not the size of the tree; then the index, then
/// the recovery point.
public final class Archiver {
    let repository: Repository
    let options: BackupOptions
    let excludes: ExcludeMatcher
    private let names = NameCache()
    let reader: BlobReader
    private var warnings: [BackupWarning] = []
    var summary = RecoveryPoint.Summary()
    /// The device of the source being walked, for `BackupOptions.oneFileSystem`.
    var rootDevice: UInt64 = 0
    private let stagingDirectory: String?
    var batch = FileBatch()
    /// Owner and group names by id, shared by every node (one buffer per name, not one per file).
    private var userNames: [UInt32: [UInt8]] = [:]
    private var groupNames: [UInt32: [UInt8]] = [:]
    /// Optimized mode's directories to list; nil in unoptimized mode.
    var scope: OptimizedScope?
    /// In optimized mode, the parent point's figures for what was listed again or left: subtracted from its summary.
    var removed = RecoveryPoint.Summary()
    var multiLinkDirectories: Set<String> = []
    /// The source being walked when it is read from elsewhere (`BackupOptions.readFrom`): its recorded path and the
    /// path read instead, as bytes; nil while the source is read where it is recorded.
    private var rebase: (recorded: [UInt8], actual: [UInt8])?
    /// Lists directories, ahead of the walking thread in unoptimized mode; replaced for each attempt.
    private(set) var walk: ParallelWalk
    /// The directories walked whose trees wait for their files, and the tree writer; replaced for each attempt.
    private var treeQueue: TreeQueue?
    var trees: TreeQueue {
        guard let treeQueue else { preconditionFailure("a directory was walked outside a backup attempt") }
        return treeQueue
    }

    /// - Parameter stagingDirectory: where packs in progress are written (by default the store's own).
    public init(repository: Repository, options: BackupOptions, stagingDirectory: String? = nil) {
        self.repository = repository
        self.stagingDirectory = stagingDirectory
        self.options = options
        excludes = ExcludeMatcher(patterns: options.excludes)
        reader = repository.makeBlobReader()
        walk = ParallelWalk(threads: 1, repository: repository, excludes: excludes)
    }

    /// Runs the backup. `elapsed` reports seconds since the start, for the summary.
    ///
    /// In optimized mode (`changedDirectories` given, with a parent), a change the journal cannot describe — a hard
    /// link added or removed — makes the archiver start again in unoptimized mode; what it stored is reused.
    public func run(elapsed: () -> Double = { 0 }) throws -> BackupResult {
        var mode = BackupMode.unoptimized(reason: "")
        if let changed = options.changedDirectories {
            if options.parent == nil {
                mode = .unoptimized(reason: "there is no previous recovery point to compare with")
            } else {
                scope = OptimizedScope(changed: changed.union(options.multiLinkDirectories))
                mode = .optimized
            }
        }
        do {
            var result = try attempt(elapsed: elapsed)
            result.mode = mode
            return result
        } catch is NeedsFullScan {
            scope = nil
            removed = RecoveryPoint.Summary()
            summary = RecoveryPoint.Summary()
            warnings = []
            batch = FileBatch()
            multiLinkDirectories = []
            var result = try attempt(elapsed: elapsed)
            result.mode = .unoptimized(reason: "a hard link was added or removed, which the change journal cannot follow")
            return result
        }
    }

    private func attempt(elapsed: () -> Double) throws -> BackupResult {
        let paths = try Self.normalizedPaths(options.paths)
        let readFrom = try Self.normalizedReadFrom(options.readFrom, sources: paths)
        let writer = try RepositoryWriter(repository: repository, stagingDirectory: stagingDirectory)
        let chunker = repository.makeChunker()
        let progress = options.progress
        let pool = WorkerPool(threads: options.threads, capacity: 16) {
            FileSaver(writer: try writer.makeBlobWriter(), chunker: chunker, progress: progress)
        }
        options.progress?.attach(writer)
        // Optimized mode decides per directory whether to list it, from the journal: nothing to list ahead.
        walk = ParallelWalk(threads: scope == nil ? options.walkThreads : 1, repository: repository, excludes: excludes)
        defer { walk.finish() }
        // The trees of a failed attempt are forgotten with it: the next one starts with an empty queue.
        let treeWriter = try writer.makeBlobWriter()
        treeQueue = TreeQueue(writer: treeWriter)
        defer { treeQueue = nil }
        let census = PendingCensus()
        let rootID: BlobID
        var walkedRoot: PendingDirectory?
        do {
            let previousRoot = try options.parent.flatMap { stored in try stored.point.treeID.map { try reader.loadTree($0) } }
            let root = PendingDirectory(previous: previousRoot, id: nil, census: census)
            walkedRoot = root
            for path in paths { try add(path, readingFrom: readFrom[path], to: root, pool: pool) }
            if !batch.slots.isEmpty { try pool.submit(batch) }
            try pool.finish()
            try options.progress?.checkCancelled()
            rootID = try storeRest(root: root)
            try treeWriter.flush()
            try writer.finish()
            // The last packs may take long to upload: a cancel meanwhile still stops before the commit.
            try options.progress?.checkCancelled()
        } catch {
            // Let the workers stop, and every pack already handed over be stored or its staged file removed,
            // before the error leaves: nothing half-written stays behind.
            try? pool.finish()
            walkedRoot?.abandon()
            // The trees written so far are claimed in the index: store them, so a restarted attempt that
            // meets the same trees finds them.
            try? treeWriter.flush()
            try? writer.waitForUploads()
            throw error
        }
        let statistics = writer.statistics
        summary.blobsAdded = statistics.blobsAdded
        summary.bytesAdded = statistics.bytesAdded
        summary.bytesStored = statistics.bytesStored
        summary.warnings = warnings.count
        summary.durationSeconds = elapsed()
        if scope != nil, let base = options.parent?.point.summary { combine(withParent: base) }
        let point = RecoveryPoint(
            time: options.identity.time, hostname: options.identity.hostname, username: options.identity.username,
            paths: paths, excludes: options.excludes, tags: options.tags, tree: rootID, parent: options.parent?.id,
            summary: summary)
        let stored = try repository.saveRecoveryPoint(point, item: options.item, retainUntil: options.retainUntil)
        return BackupResult(recoveryPoint: stored, warnings: warnings, statistics: statistics,
                            multiLinkDirectories: multiLinkDirectories, peakPending: census.peak)
    }

    /// Absolute, without "." or "..", without trailing slashes, and without paths inside another one.
    public static func normalizedPaths(_ paths: [String]) throws -> [String] {
        guard !paths.isEmpty else { throw RepositoryError(.invalidArgument, "name at least one path to back up") }
        var cleaned: [String] = []
        for path in paths {
            guard path.hasPrefix("/") else {
                throw RepositoryError(.invalidArgument, "\"\(path)\" is not an absolute path")
            }
            var parts: [Substring] = []
            for part in path.split(separator: "/") where part != "." {
                if part == ".." { _ = parts.popLast() } else { parts.append(part) }
            }
            cleaned.append("/" + parts.joined(separator: "/"))
        }
        let sorted = Set(cleaned).sorted()
        return sorted.filter { path in
            !sorted.contains { other in other != path && (other == "/" || path.hasPrefix(other + "/")) }
        }
    }

    /// `readFrom` with both sides normalized; each key must be one of the (normalized) sources.
    static func normalizedReadFrom(_ readFrom: [String: String], sources: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for (recorded, actual) in readFrom {
            let source = try normalizedPaths([recorded])[0]
            guard sources.contains(source) else {
                throw RepositoryError(.invalidArgument, "\(recorded) is read from \(actual) but is not one of the paths backed up")
            }
            result[source] = try normalizedPaths([actual])[0]
        }
        return result
    }

    /// Adds one source below `root`: the directories above it as they are now, then the source itself, read from
    /// `actual` when given (`BackupOptions.readFrom`).
    private func add(_ path: String, readingFrom actual: String?, to root: PendingDirectory, pool: WorkerPool<FileSaver>) throws {
        rebase = actual.map { (path == "/" ? [] : Array(path.utf8), $0 == "/" ? [] : Array($0.utf8)) }
        defer { rebase = nil }
        var pending = root
        var prefix = ""
        let parts = path.split(separator: "/").map(String.init)
        if parts.isEmpty {
            let directory = WalkedDirectory(try openSource(actual ?? path))
            rootDevice = try directory.directory.status().device
            try descend(directory, into: root, path: [], pool: pool)
            return
        }
        for (position, part) in parts.enumerated() {
            prefix += "/" + part
            let name = Array(part.utf8)
            let isSource = position == parts.count - 1
            // The source itself is looked at where it is read from; the directories above it where they are.
            let looked = isSource ? actual ?? prefix : prefix
            var status: stat = stat()
            let result = fstatat(AT_FDCWD, looked, &status, isSource ? AT_SYMLINK_NOFOLLOW : 0)
            guard result == 0 else {
                throw RepositoryError(.invalidArgument, "cannot back up \(path): \(SystemError.current("stat", path: looked))")
            }
            let fileStatus = try FileStatus(status, operation: "stat", path: looked)
            if !isSource {
                guard fileStatus.kind == .directory else {
                    throw RepositoryError(.invalidArgument, "cannot back up \(path): \(prefix) is not a directory")
                }
                let previous = pending.previous
                pending = pending.child(named: name, node: makeNode(name, fileStatus, path: Array(prefix.utf8), xattrs: nil),
                                        previous: subtree(of: previous?.node(named: name)))
                continue
            }
            rootDevice = fileStatus.device
            if fileStatus.kind == .directory {
                let previous = pending.previous
                let directory = WalkedDirectory(try openSource(looked))
                // The source folder's own attributes (a volume's root: its ACLs and labels) are kept like any folder's.
                var xattrs: [ExtendedAttribute] = []
                do { xattrs = try directory.directory.extendedAttributes() } catch {
                    warn(Array(prefix.utf8), "extended attributes not saved: \(error)")
                }
                let child = pending.child(named: name, node: makeNode(name, fileStatus, path: Array(prefix.utf8), xattrs: xattrs),
                                          previous: subtree(of: previous?.node(named: name)))
                summary.directories += 1
                if scope != nil { removed.directories += 1 }
                try descend(directory, into: child, path: Array(prefix.utf8), pool: pool)
                try finished(child, pool: pool)
            } else {
                let parentPath = looked.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(looked[..<$0]) } ?? ""
                let parentDirectory = try openSource(parentPath.isEmpty ? "/" : parentPath)
                let previous = pending.previous?.node(named: name)
                let parent = Array(prefix.utf8.dropLast(part.utf8.count + 1))
                if try keepIfUnchanged(previous, status: fileStatus, in: parent, into: pending) { return }
                var target: Result<[UInt8], SystemError>?
                if fileStatus.kind == .symlink {
                    do { target = .success(try parentDirectory.readLink(name)) } catch { target = .failure(error) }
                }
                try addEntry(name, status: fileStatus, previous: previous, linkTarget: target, in: WalkedDirectory(parentDirectory),
                             into: pending, path: Array(prefix.utf8), pool: pool)
            }
        }
    }

    private func openSource(_ path: String) throws -> Directory {
        do { return try Directory.open(path: path) } catch {
            throw RepositoryError(.invalidArgument, "cannot back up \(path): \(error)")
        }
    }

    /// The previous tree of a directory node, with its id.
    func subtree(of node: Node?) -> (Tree?, BlobID?) {
        guard let id = node?.subtree else { return (nil, nil) }
        return ((try? reader.loadTree(id)), id)
    }

    func warn(_ path: [UInt8], _ message: String) {
        warnings.append(BackupWarning(path: FileName.printable(path), message: message))
    }

    /// Lists one directory (or takes the listing made ahead of the walker) and handles each entry in name order;
    /// recurses into subdirectories.
    func scan(_ directory: WalkedDirectory, listed: Result<DirectoryListing, SystemError>? = nil,
              into pending: PendingDirectory, path: [UInt8], pool: WorkerPool<FileSaver>) throws {
        let listing: DirectoryListing
        switch listed ?? walk.list(directory.directory, path: path) {
        case .success(let found): listing = found
        case .failure(let error):
            warn(path, "cannot list the directory: \(error)")
            return
        }
        defer { pending.previous = nil }
        if listing.count != pending.previousCount { pending.modified = true }
        let relisted = scope != nil ? pending.previous : nil
        if let relisted { subtractEntries(of: relisted) }
        if scope == nil { requestSubdirectories(of: listing, in: directory, path: path, for: pending) }
        // Both sides are sorted by name: one pass pairs each entry with its previous node, without a lookup.
        let previousNodes = pending.previous?.nodes ?? []
        var cursor = 0
        for index in 0..<listing.count {
            var previous: Node?
            while cursor < previousNodes.count {
                let order = listing.compareName(at: index, with: previousNodes[cursor].name)
                if order > 0 { cursor += 1; continue }
                if order == 0 {
                    previous = previousNodes[cursor]
                    cursor += 1
                }
                break
            }
            guard let status = listing.status(at: index) else {
                let full = path + [UInt8(ascii: "/")] + listing.name(at: index)
                let error = listing.statusFailure(at: index)
                warn(full, error?.isNotFound == true ? "vanished during the backup" : "skipped: \(error.map { "\($0)" } ?? "")")
                continue
            }
            if try keepIfUnchanged(previous, status: status, in: path, into: pending) { continue }
            let name = listing.name(at: index)
            try addEntry(name, status: status, previous: previous, linkTarget: listing.linkTarget(at: index), in: directory,
                         into: pending, path: path + [UInt8(ascii: "/")] + name, pool: pool)
        }
        pending.requests = []
        if let relisted { try subtractLeftSubtrees(of: relisted, continued: pending.continued) }
    }

    /// Notes a regular file with several links, and keeps an entry the parent point holds unchanged as it was (the
    /// common case of a rescan, which allocates nothing). Returns false when the entry must be looked at.
    private func keepIfUnchanged(_ previous: Node?, status: FileStatus, in directoryPath: [UInt8],
                                 into pending: PendingDirectory) throws -> Bool {
        if status.kind == .regular, status.linkCount > 1 {
            // The journal names the directory a link was made or removed in, not the other names of the file.
            if scope != nil, previous?.links != status.linkCount { throw NeedsFullScan() }
            multiLinkDirectories.insert(directoryPath.isEmpty ? "/" : String(decoding: directoryPath, as: UTF8.self))
        }
        guard let previous, previous.isUnchanged(comparedTo: status) else { return false }
        summary.files += 1
        summary.bytes += status.size
        summary.filesUnchanged += 1
        options.progress?.scanned(bytes: status.size)
        var node = previous
        node.device = status.device
        node.links = status.linkCount
        if node != previous { pending.modified = true }
        pending.nodes.append(node)
        return true
    }

    private func addEntry(_ name: [UInt8], status: FileStatus, previous: Node?, linkTarget: Result<[UInt8], SystemError>?,
                          in directory: WalkedDirectory, into pending: PendingDirectory, path: [UInt8],
                          pool: WorkerPool<FileSaver>) throws {
        let sameStatus = previous.map { $0.hasSameStatus(as: status) } ?? false
        var xattrs: [ExtendedAttribute] = []
        if sameStatus, let previous {
            xattrs = previous.xattrs
        } else if status.kind == .regular {
            // Read by the worker through the file it opens anyway (flistxattr), not by path here.
        } else {
            do { xattrs = try directory.directory.extendedAttributes(of: name) } catch {
                warn(path, "extended attributes not saved: \(error)")
            }
        }
        var node = makeNode(name, status, path: path, xattrs: xattrs)
        switch status.kind {
        case .regular:
            pending.modified = true
            summary.files += 1
            summary.bytes += status.size
            if previous == nil { summary.filesNew += 1 } else { summary.filesChanged += 1 }
            options.progress?.scanned(bytes: status.size)
            try options.progress?.checkCancelled()
            let slot = FileSlot(path: path, readPath: rebase.map { $0.actual + path[$0.recorded.count...] }, node: node)
            pending.addFile(node, slot: slot)
            batch.slots.append(slot)
            batch.bytes += status.size
            if batch.isFull {
                try pool.submit(batch)
                batch = FileBatch()
            }
        case .directory:
            summary.directories += 1
            // Optimized mode: a directory the journal does not name, with nothing named below it, is the same
            // directory (same inode) as in the parent, so its tree is taken as it was, without being read.
            let sameDirectory = previous.map { $0.kind == .directory && $0.inode == status.inode } ?? false
            let listsAll = scope != nil && (pending.listsAll || previous.map { !$0.hasSameChangeTime(as: status) } ?? false)
            if let scope, sameDirectory, !listsAll, let id = previous?.subtree, !scope.mustVisit(path) {
                node.subtree = id
                pending.continued.insert(name)
                if node != previous { pending.modified = true }
                pending.nodes.append(node)
                return
            }
            var comparable = previous
            comparable?.subtree = nil
            if node != comparable { pending.modified = true }
            let continuing = scope == nil || sameDirectory
            if scope != nil, continuing, previous != nil { pending.continued.insert(name) }
            let listed = scope == nil ? takeListing(of: name, in: pending) : nil
            let (previousTree, previousID) = listed.map { ($0.previous, previous?.subtree) } ?? subtree(of: continuing ? previous : nil)
            let child = pending.addSubdirectory(node, previous: previousTree, id: previousID)
            child.listsAll = listsAll
            if options.oneFileSystem && status.device != rootDevice {
                child.modified = true
            } else {
                try enter(name, of: directory, listed: listed, child: child, path: path, pool: pool)
            }
            try finished(child, pool: pool)
        case .symlink:
            summary.otherEntries += 1
            switch linkTarget {
            case .success(let target): node.linkTarget = target
            case .failure(let error):
                warn(path, "skipped: \(error)")
                pending.modified = true
                return
            case nil:
                do { node.linkTarget = try directory.directory.readLink(name) } catch {
                    warn(path, "skipped: \(error)")
                    pending.modified = true
                    return
                }
            }
            if node != previous { pending.modified = true }
            pending.nodes.append(node)
        case .fifo, .socket, .characterDevice, .blockDevice:
            summary.otherEntries += 1
            if node != previous { pending.modified = true }
            pending.nodes.append(node)
        }
    }

    func makeNode(_ name: [UInt8], _ status: FileStatus, path: [UInt8], xattrs: [ExtendedAttribute]?) -> Node {
        var node = Node(name: name, kind: NodeKind(rawValue: status.kind.rawValue)!)
        FileSaver.update(&node, from: status)
        node.rdev = status.rdev
        if let user = userNames[status.uid] { node.user = user } else {
            node.user = Array((names.userName(status.uid) ?? "").utf8)
            userNames[status.uid] = node.user
        }
        if let group = groupNames[status.gid] { node.group = group } else {
            node.group = Array((names.groupName(status.gid) ?? "").utf8)
            groupNames[status.gid] = node.group
        }
        if status.kind != .regular {
            node.size = status.kind == .symlink ? status.size : 0
        }
        node.xattrs = xattrs ?? []
        return node
    }
}

/// Change detection: what must match the parent recovery point for an entry not to be looked at again.
extension Node {
    /// Same kind and same ctime: mode, owner and extended attributes cannot have changed (changing any of
    /// them changes ctime), so the previous node's attributes still hold.
    func hasSameStatus(as status: FileStatus) -> Bool {
        kind.rawValue == status.kind.rawValue && hasSameChangeTime(as: status)
    }

    /// The inode itself was not touched: not renamed, not given another mode, owner or attribute, and (for a
    /// directory) no entry made or removed in it.
    func hasSameChangeTime(as status: FileStatus) -> Bool {
        ctimeSeconds == status.ctimeSeconds && ctimeNanoseconds == status.ctimeNanoseconds
    }

    /// A regular file whose size, inode, mtime and ctime all match: its content need not be read again.
    func isUnchanged(comparedTo status: FileStatus) -> Bool {
        kind == .regular && hasSameStatus(as: status) && size == status.size && inode == status.inode
            && mtimeSeconds == status.mtimeSeconds && mtimeNanoseconds == status.mtimeNanoseconds
    }
}
