/// The hand-over between `haven backup --journal` and a running `haven journal watch`: the backup asks, and the
/// watcher reads what is queued, removes its ignore marks, and moves the recorded changes aside for the backup, in
/// that order, before it answers. Only the watcher can remove its marks, and a mark left in place would hide the next
/// change in that directory from the next backup.
///
/// Files: `handover` (a FIFO the watcher reads; any byte is a request) and `handed-over` (how many hand-overs the
/// running watcher made, rewritten after each).
import Backup
import FileIO
import Glibc

extension JournalDirectory {
    var requestPath: String { path + "/handover" }
    var handedOverPath: String { path + "/handed-over" }

    // MARK: the watcher's side

    /// Makes the request FIFO anew and opens it without blocking, for reading and writing, so it never reports the
    /// end of a writer.
    func openRequests() throws -> Int32 {
        try? FileIO.removeFile(requestPath)
        try? FileIO.removeFile(handedOverPath)
        guard mkfifo(requestPath, 0o600) == 0 else { throw SystemError.current("mkfifo", path: requestPath) }
        let fd = open(requestPath, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.current("open", path: requestPath) }
        return fd
    }

    /// Whether a backup asked for a hand-over since the last call; the requests are consumed.
    static func takeRequests(_ fd: Int32) -> Bool {
        var bytes = [UInt8](repeating: 0, count: 64)
        var asked = false
        while read(fd, &bytes, bytes.count) > 0 { asked = true }
        return asked
    }

    /// Appends what a poll found to `changes`, one directory a line.
    func append(_ changes: FanotifyWatcher.Changes) throws {
        var lines = changes.directories.sorted()
        if changes.overflowed { lines.append(Self.overflowLine) }
        guard !lines.isEmpty else { return }
        let fd = open(changesPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError.current("open", path: changesPath) }
        defer { close(fd) }
        try FileIO.writeAll(fd: fd, Array(lines.map { $0 + "\n" }.joined().utf8), path: changesPath)
    }

    /// The last step of a hand-over, after the poll that removed the ignore marks was appended: the changes go to
    /// `changes.taken` for the backup, and the count tells it the hand-over is done.
    func handOver(number: Int) throws {
        try moveChangesToTaken()
        try FileIO.writeFileAtomically(handedOverPath, Array("\(number)\n".utf8), durable: false)
    }

    // MARK: the backup's side

    /// Asks the running watcher for a hand-over and waits up to `timeoutSeconds` for it; false when none answers.
    func requestHandOver(timeoutSeconds: Int = 10) -> Bool {
        let before = handOvers()
        // Without a reader (no watcher, or a stale FIFO), opening for writing without blocking fails with ENXIO.
        let fd = open(requestPath, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        let written = write(fd, "h", 1)
        close(fd)
        guard written == 1 else { return false }
        for _ in 0..<(timeoutSeconds * 200) {
            if handOvers() != before { return true }
            usleep(5_000)
        }
        return false
    }

    private func handOvers() -> [UInt8]? { try? FileIO.readFile(handedOverPath) }
}
