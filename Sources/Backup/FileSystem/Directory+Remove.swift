#if canImport(Glibc)
import Glibc
#endif
import FileIO

/// Removing, renaming and probing entries for restore, without ever following a symlink.
extension Directory {
    /// Removes `name`. A directory is removed with everything in it: each level is opened with
    /// O_NOFOLLOW|O_DIRECTORY and emptied through its own descriptor, so a symlink inside (or one
    /// swapped in meanwhile) is removed itself and what it points to is never touched.
    /// Depth is bounded by the open-file limit: one descriptor per level.
    public func remove(_ name: [UInt8]) throws(SystemError) {
        do {
            try call("unlinkat", name) { unlinkat(fd, $0, 0) }
        } catch where error.code == EISDIR || error.code == EPERM {
            // Linux answers EISDIR for a directory; POSIX allows EPERM. Either way, try it as one:
            // if it is not a directory after all, opening it fails and the unlink error stands.
            guard let child = try? Directory.open(at: self, name: name) else { throw error }
            for entry in try child.entries() {
                try child.remove(entry)
            }
            try call("unlinkat", name) { unlinkat(fd, $0, AT_REMOVEDIR) }
        }
    }

    /// Renames `name` to `newName` in this directory (renameat; replaces what is at `newName`,
    /// without following it).
    public func rename(_ name: [UInt8], to newName: [UInt8]) throws(SystemError) {
        try rename(name, to: newName, in: self)
    }

    /// Moves `name` to `newName` in `destination`, on the same filesystem.
    public func rename(
        _ name: [UInt8], to newName: [UInt8], in destination: borrowing Directory
    ) throws(SystemError) {
        let destinationFD = destination.fd
        try destination.checkEntryName(newName, operation: "renameat")
        try withCName(newName) { (cNewName) throws(SystemError) in
            try call("renameat", name) { renameat(fd, $0, destinationFD, cNewName) }
        }
    }

    /// The status of `name` itself when something is there, nil otherwise (or when it cannot be
    /// stat'ed, e.g. an unsafe name).
    public func exists(_ name: [UInt8]) -> FileStatus? {
        try? status(of: name)
    }
}
