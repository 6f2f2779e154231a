/// SnapshotFolder owns `.haven-snapshots` at the root of a btrfs subvolume: Haven's read-only snapshots of that
/// subvolume and, beside each, a lock file that says a backup is using it.
///
/// Order, so that a crash at any point leaves nothing a later run cannot find and remove:
/// 1. `<name>.pending` is created and locked (`flock`), then renamed to `<name>.lock` and the folder synced: the
///    snapshot is recorded durably before it exists.
/// 2. The snapshot `<name>` is taken.
/// 3. When the backup ends: the snapshot is destroyed, the lock file removed, its descriptor closed.
///
/// A lock file nobody holds belongs to a process that ended without step 3 (a crash, kill -9): the kernel released
/// its lock. `removeStale()` destroys such snapshots, and snapshots without any lock file, and leaves every snapshot
/// whose lock is held alone (another backup is reading it).
#if canImport(Glibc)
import Glibc
#endif
import FileIO

struct SnapshotFolder {
    static let name = ".haven-snapshots"
    private static let lockSuffix = ".lock"
    private static let pendingSuffix = ".pending"

    let subvolumeRoot: String
    var path: String { (subvolumeRoot == "/" ? "" : subvolumeRoot) + "/" + Self.name }

    /// A snapshot in use: destroyed by `release()`.
    final class Taken {
        let path: String
        private let folder: String
        private let name: String
        private var lock: Int32

        fileprivate init(folder: String, name: String, lock: Int32) {
            self.folder = folder
            self.name = name
            self.lock = lock
            path = folder + "/" + name
        }

        /// Destroys the snapshot, then removes its lock file. Called once; a failure leaves the lock file behind for
        /// the next `removeStale()`, since the lock itself is released either way.
        func release() throws(SystemError) {
            guard lock >= 0 else { return }
            defer {
                close(lock)
                lock = -1
            }
            let directory = try SnapshotFolder.openDirectory(folder)
            defer { close(directory) }
            try BtrfsCalls.destroySubvolume(named: name, in: directory, path: path)
            try FileIO.call("unlink", path: path + lockSuffix) { unlinkat(directory, name + lockSuffix, 0) }
        }

        deinit { try? release() }
    }

    /// Takes a read-only snapshot of the subvolume, named `<label>-<pid>-<random>`.
    func take(label: String) throws(SystemError) -> Taken {
        if mkdir(path, 0o700) != 0 && errno != EEXIST { throw SystemError.current("mkdir", path: path) }
        let directory = try Self.openDirectory(path)
        defer { close(directory) }
        let name = "\(label)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        let lock = try FileIO.call("open", path: path + "/" + name + Self.pendingSuffix) {
            openat(directory, name + Self.pendingSuffix, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
        }
        var recorded = false
        defer { if !recorded { close(lock) } }
        try FileIO.call("flock", path: path + "/" + name + Self.pendingSuffix) { flock(lock, LOCK_EX) }
        try FileIO.writeAll(fd: lock, Array("taken by Haven, process \(getpid()), for \(label)\n".utf8), path: nil)
        try FileIO.call("fsync") { fsync(lock) }
        try FileIO.call("rename", path: path + "/" + name + Self.lockSuffix) {
            renameat(directory, name + Self.pendingSuffix, directory, name + Self.lockSuffix)
        }
        try FileIO.call("fsync", path: path) { fsync(directory) }
        do {
            let source = try Self.openDirectory(subvolumeRoot)
            defer { close(source) }
            try BtrfsCalls.createReadOnlySnapshot(of: source, in: directory, name: name, path: path + "/" + name)
        } catch {
            unlinkat(directory, name + Self.lockSuffix, 0)
            throw error
        }
        recorded = true
        return Taken(folder: path, name: name, lock: lock)
    }

    /// Destroys the snapshots left by backups that ended without removing them; returns their paths, and what could
    /// not be removed ("path: error"). A folder that does not exist holds nothing stale.
    func removeStale() -> (removed: [String], problems: [String]) {
        guard let entries = try? FileIO.listDirectory(path), let directory = try? Self.openDirectory(path) else { return ([], []) }
        defer { close(directory) }
        var removed: [String] = [], problems: [String] = []
        /// Whether `name` is gone now (or never was a subvolume).
        func destroy(_ name: String) -> Bool {
            var status = stat()
            // Only a subvolume is destroyed: anything else found here is left as it is.
            guard fstatat(directory, name, &status, AT_SYMLINK_NOFOLLOW) == 0, (status.st_mode & S_IFMT) == S_IFDIR,
                  UInt64(status.st_ino) == BtrfsCalls.subvolumeRootInode else { return true }
            do {
                try BtrfsCalls.destroySubvolume(named: name, in: directory, path: path + "/" + name)
                removed.append(path + "/" + name)
                return true
            } catch {
                if error.code == ENOENT { return true }
                problems.append("\(path)/\(name): \(error)")
                return false
            }
        }
        for entry in entries where entry.hasSuffix(Self.lockSuffix) || entry.hasSuffix(Self.pendingSuffix) {
            let lock = openat(directory, entry, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
            guard lock >= 0 else { continue }
            defer { close(lock) }
            guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { continue }  // held: a backup is using it
            let gone = entry.hasSuffix(Self.pendingSuffix) || destroy(String(entry.dropLast(Self.lockSuffix.count)))
            if gone { unlinkat(directory, entry, 0) }
        }
        for entry in entries where !entry.hasSuffix(Self.lockSuffix) && !entry.hasSuffix(Self.pendingSuffix) {
            var status = stat()
            // Looked at again now: a lock file created after the listing means the snapshot is in use.
            guard fstatat(directory, entry + Self.lockSuffix, &status, AT_SYMLINK_NOFOLLOW) != 0 else { continue }
            _ = destroy(entry)
        }
        return (removed, problems)
    }

    static func openDirectory(_ path: String) throws(SystemError) -> Int32 {
        try FileIO.call("open", path: path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    }
}
