import Repository
import Synchronization

/// A directory being backed up: its nodes so far and the files still being read, until its tree is written.
///
/// Touched only by the walking thread; the file slots it points to are filled by workers.
final class PendingDirectory {
    var nodes: [Node] = []
    var files: [(index: Int, slot: FileSlot)] = []
    /// The directory this one is a subdirectory of, and the index of its node there: where its tree id goes.
    private(set) var parent: (directory: PendingDirectory, index: Int)?
    /// Directories above a source only: the subdirectories on the way to a source, found again by name for the next
    /// source below the same directory.
    private var onTheWay: [PendingDirectory] = []
    /// How many of `files`, from the front, are known to be stored: each slot is checked once.
    private var filesChecked = 0
    /// The tree was written (`Archiver.store`); its nodes and slots are gone.
    private(set) var isStored = false
    let census: PendingCensus
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

    init(previous: Tree?, id: BlobID? = nil, census: PendingCensus) {
        self.census = census
        census.directories += 1
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

    /// Adds the node of subdirectory `node`, and the pending directory that will hold its entries.
    func addSubdirectory(_ node: Node, previous: Tree?, id: BlobID?) -> PendingDirectory {
        let directory = PendingDirectory(previous: previous, id: id, census: census)
        nodes.append(node)
        directory.parent = (self, nodes.count - 1)
        return directory
    }

    /// Adds a regular file's node, and the slot a worker fills as it stores the file.
    func addFile(_ node: Node, slot: FileSlot) {
        nodes.append(node)
        files.append((nodes.count - 1, slot))
        census.files += 1
    }

    /// The child directory `name` on the way to a source, adding `node` for it if it is not there yet.
    func child(named name: [UInt8], node: @autoclosure () -> Node, previous: @autoclosure () -> (Tree?, BlobID?)) -> PendingDirectory {
        if let existing = onTheWay.first(where: { nodes[$0.parent!.index].name == name }) { return existing }
        let (tree, id) = previous()
        // The directories above a source are only partly walked: always encode their trees.
        modified = true
        let directory = addSubdirectory(node(), previous: tree, id: id)
        onTheWay.append(directory)
        return directory
    }

    /// The directories on the way to a source below this one whose trees are not written yet, deepest first.
    var unstoredOnTheWay: [PendingDirectory] {
        onTheWay.filter { !$0.isStored }.flatMap { $0.unstoredOnTheWay + [$0] }
    }

    /// Lets go of the directories on the way to the sources after a failed attempt: each holds its parent, so
    /// they would keep each other (and their nodes) alive.
    func abandon() {
        for directory in onTheWay { directory.abandon() }
        onTheWay = []
    }

    /// Whether every file is stored (or failed to be); resumes where the last check stopped, so the walker can ask
    /// after every directory at the cost of one atomic load per file.
    var filesAreStored: Bool {
        while filesChecked < files.count, files[filesChecked].slot.isDone { filesChecked += 1 }
        return filesChecked == files.count
    }

    /// Hands the written tree's id to the parent directory and lets go of the nodes and slots.
    func stored(as id: BlobID) {
        if let (directory, index) = parent {
            directory.nodes[index].subtree = id
            if id != previousID { directory.modified = true }
        }
        census.directories -= 1
        census.files -= files.count
        nodes = []
        files = []
        onTheWay = []
        isStored = true
    }
}

/// How many pending directories and file slots the walk holds at once, and the most it held: the archiver's memory
/// follows these. Touched only by the walking thread.
final class PendingCensus {
    var directories = 0 { didSet { peak.directories = max(peak.directories, directories) } }
    var files = 0 { didSet { peak.files = max(peak.files, files) } }
    private(set) var peak = PendingCount()
}

/// One regular file to read, and what reading it found. Filled by exactly one worker, which then sets `isDone`
/// (a releasing store); the walker reads the other fields only after it saw `isDone` set (an acquiring load) or
/// after the pool finished (the thread join orders the accesses), hence `@unchecked Sendable`.
final class FileSlot: @unchecked Sendable {
    let path: [UInt8]
    /// Where the file is read from when that is not `path` (a source read from a snapshot); nil: `path`.
    let readPath: [UInt8]?
    var node: Node
    var warning: String?
    /// The file could not be read at all; it is left out of the recovery point.
    var failed = false
    private let done = Atomic<Bool>(false)

    /// Whether the worker is done with the slot: the file is stored, or failed to be.
    var isDone: Bool { done.load(ordering: .acquiring) }

    /// Called by the worker once it wrote its last field.
    func markDone() { done.store(true, ordering: .releasing) }

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
