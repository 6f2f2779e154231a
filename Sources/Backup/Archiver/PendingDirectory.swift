import Repository

/// A directory being backed up: its nodes so far, its subdirectories, and the files still being read.
///
/// Touched only by the walking thread; the file slots it points to are filled by workers.
final class PendingDirectory {
    var nodes: [Node] = []
    var children: [(index: Int, directory: PendingDirectory)] = []
    var files: [(index: Int, slot: FileSlot)] = []
    /// The same directory in the parent recovery point, for change detection; dropped once the directory
    /// has been listed, so only the trees of the directories being walked are held.
    var previous: Tree?
    /// The previous tree's id and size: when nothing in the directory changed, its tree is that one again.
    let previousID: BlobID?
    let previousCount: Int
    /// Something differs from the previous tree (or there is none): the tree must be encoded anew.
    var modified: Bool
    /// Optimized mode: names of the previous tree's subdirectories carried on (taken as they were, or walked
    /// further); the subtrees of the others are gone from the backup and leave the parent's figures.
    var continued: Set<[UInt8]> = []
    /// Optimized mode: this directory and everything below it are listed in full, because the directory's own inode
    /// changed (its ctime moved): it may have been renamed away and back, and what changed inside it meanwhile was
    /// recorded by the journal under a path that is gone.
    var listsAll = false
    /// Unoptimized mode: the subdirectories whose listings were requested ahead of the walker, in the order it enters
    /// them; dropped once the directory is walked (each request holds this directory open).
    var requests: [ParallelWalk.Request] = [] {
        didSet { nextRequest = 0 }
    }
    private var nextRequest = 0

    init(previous: Tree?, id: BlobID? = nil) {
        self.previous = previous
        previousID = previous == nil ? nil : id
        previousCount = previous?.nodes.count ?? 0
        modified = previous == nil || id == nil
    }

    /// The next requested listing, if it is the one of subdirectory `name`.
    func takeRequest(named name: [UInt8]) -> ParallelWalk.Request? {
        guard nextRequest < requests.count, requests[nextRequest].name == name else { return nil }
        nextRequest += 1
        return requests[nextRequest - 1]
    }

    /// The index of the child directory `name`, adding `node` for it if it is not there yet.
    func child(named name: [UInt8], node: @autoclosure () -> Node, previous: @autoclosure () -> (Tree?, BlobID?)) -> PendingDirectory {
        if let existing = children.first(where: { nodes[$0.index].name == name }) { return existing.directory }
        let (tree, id) = previous()
        let directory = PendingDirectory(previous: tree, id: id)
        // The directories above a source are only partly walked: always encode their trees.
        modified = true
        nodes.append(node())
        children.append((nodes.count - 1, directory))
        return directory
    }
}

/// One regular file to read, and what reading it found. Filled by exactly one worker, read by the walker
/// only after the pool finished (the thread join orders the accesses), hence `@unchecked Sendable`.
final class FileSlot: @unchecked Sendable {
    let path: [UInt8]
    /// Where the file is read from when that is not `path` (a source read from a snapshot); nil: `path`.
    let readPath: [UInt8]?
    var node: Node
    var warning: String?
    /// The file could not be read at all; it is left out of the recovery point.
    var failed = false

    init(path: [UInt8], readPath: [UInt8]? = nil, node: Node) {
        self.path = path
        self.readPath = readPath
        self.node = node
    }
}

/// Files handed to a worker together, so the queue is touched once per batch rather than once per file.
final class FileBatch: @unchecked Sendable {
    var slots: [FileSlot] = []
    var bytes: UInt64 = 0

    static let maxFiles = 64
    static let maxBytes: UInt64 = 8 << 20

    var isFull: Bool { slots.count >= Self.maxFiles || bytes >= Self.maxBytes }
}
