/// Writing each directory's tree as soon as its walk ended and its files are stored, so the archiver holds the
/// directories in flight and those above them, not the whole tree.
import Glibc
import Repository

/// The directories whose walk ended and whose trees are not written yet, in the order their walks ended
/// (post-order: every directory after its subdirectories), and the writer of their trees. One per attempt;
/// touched only by the walking thread.
final class TreeQueue {
    let writer: BlobWriter
    private var directories: [PendingDirectory?] = []
    private var head = 0
    /// The regular files of the queued directories.
    private(set) var files = 0
    /// Past this many files queued, the walker waits for the front directory instead of walking on: one slow file
    /// (a large one read while thousands of small ones are done behind it) cannot make the queue grow with the tree.
    static let filesLimit = 4096

    init(writer: BlobWriter) { self.writer = writer }

    var isEmpty: Bool { head == directories.count }
    var first: PendingDirectory? { isEmpty ? nil : directories[head] }

    func append(_ directory: PendingDirectory) {
        directories.append(directory)
        files += directory.files.count
    }

    func removeFirst() {
        files -= directories[head]?.files.count ?? 0
        directories[head] = nil
        head += 1
        if head > 1024 && head * 2 > directories.count {
            directories.removeFirst(head)
            head = 0
        }
    }
}

extension Archiver {
    /// Queues a directory whose walk just ended, then writes the trees at the front of the queue whose files are
    /// all stored. Called in post-order, so a directory's subdirectories are written before it reaches the front.
    /// While the queue holds more than `TreeQueue.filesLimit` files, waits for the front directory's files.
    func finished(_ directory: PendingDirectory, pool: WorkerPool<FileSaver>) throws {
        trees.append(directory)
        try storeFinished()
        while trees.files > TreeQueue.filesLimit {
            // The front may wait for a file of the batch being filled: hand it over first.
            if !batch.slots.isEmpty {
                try pool.submit(batch)
                batch = FileBatch()
            }
            // A worker that failed (or saw the backup cancelled) leaves its slots unfilled for good.
            try pool.checkFailure()
            try options.progress?.checkCancelled()
            usleep(200)
            try storeFinished()
        }
    }

    /// Writes the trees at the front of the queue whose files are all stored; stops at the first one still waiting
    /// for a worker (what comes after it was walked later, so mostly waits too).
    func storeFinished() throws {
        while let first = trees.first, first.filesAreStored {
            trees.removeFirst()
            try store(first)
        }
    }

    /// Once the pool finished: the trees still queued, then those of the directories above the sources (always
    /// encoded again, as they are only partly walked), deepest first. Returns the root's id.
    func storeRest(root: PendingDirectory) throws -> BlobID {
        try storeFinished()
        precondition(trees.isEmpty, "a walked directory still waits for files after the pool finished")
        for directory in root.unstoredOnTheWay { try store(directory) }
        return try store(root)
    }

    /// Writes one directory's tree, its subdirectories' ids already in its nodes; hands the id to its parent and
    /// drops the directory's nodes and slots.
    @discardableResult
    private func store(_ pending: PendingDirectory) throws -> BlobID {
        let id = try encode(pending)
        pending.stored(as: id)
        return id
    }

    private func encode(_ pending: PendingDirectory) throws -> BlobID {
        // Nothing in or below this directory changed: its tree is the previous one, already stored.
        let reusable = !pending.modified && pending.files.isEmpty && pending.nodes.count == pending.previousCount
        if reusable, let previousID = pending.previousID { return previousID }
        var dropped: Set<Int> = []
        for (index, slot) in pending.files {
            if let warning = slot.warning { warn(slot.path, warning) }
            if slot.failed {
                dropped.insert(index)
                summary.files -= 1
            } else {
                pending.nodes[index] = slot.node
            }
        }
        let nodes = dropped.isEmpty ? pending.nodes : pending.nodes.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
        let tree = Tree(nodes: nodes)
        let id = try trees.writer.save(tree.encoded(), type: .tree)
        repository.noteStoredTree(tree, id: id)
        return id
    }
}
