/// How the archiver walks in unoptimized mode: it asks for the listings of a directory's subdirectories as soon as it
/// has listed the directory, and enters each through the listing made ahead of it (`ParallelWalk`).
import FileIO
import Repository

extension Archiver {
    /// Requests the listings of the subdirectories the walk will enter, with their trees in the parent point: every
    /// directory listed, except those on another file system when it stays on one (excluded entries are not listed).
    func requestSubdirectories(of listing: DirectoryListing, in directory: WalkedDirectory, path: [UInt8],
                               for pending: PendingDirectory) {
        var requests: [ParallelWalk.Request] = []
        for index in 0..<listing.count {
            guard let status = listing.status(at: index), status.kind == .directory,
                  !(options.oneFileSystem && status.device != rootDevice) else { continue }
            let name = listing.name(at: index)
            requests.append(ParallelWalk.Request(parent: directory, name: name, path: path + [UInt8(ascii: "/")] + name,
                                                 previousID: pending.previous?.node(named: name)?.subtree))
        }
        pending.requests = requests
        walk.request(requests)
    }

    /// The listing requested ahead for subdirectory `name` (unoptimized mode), with its previous tree.
    func takeListing(of name: [UInt8], in pending: PendingDirectory) -> ParallelWalk.Listed? {
        pending.takeRequest(named: name).map { walk.take($0) }
    }

    /// Walks the subdirectory `name` into `child`: through its listing made ahead, or opened and listed here.
    func enter(_ name: [UInt8], of directory: WalkedDirectory, listed: ParallelWalk.Listed?, child: PendingDirectory,
               path: [UInt8], pool: WorkerPool<FileSaver>) throws {
        if let listed {
            guard let opened = listed.directory else {
                if case .failure(let error) = listed.listing { cannotEnter(path, error, child: child) }
                return
            }
            return try descend(opened, listed: listed.listing, into: child, path: path, pool: pool)
        }
        let opened: Directory
        do { opened = try Directory.open(at: directory.directory, name: name) } catch {
            return cannotEnter(path, error, child: child)
        }
        try descend(WalkedDirectory(opened), into: child, path: path, pool: pool)
    }

    private func cannotEnter(_ path: [UInt8], _ error: SystemError, child: PendingDirectory) {
        warn(path, error.isNotFound ? "vanished during the backup" : "cannot enter the directory: \(error)")
        child.modified = true
    }
}
