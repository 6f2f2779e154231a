/// JournalDirectory is the change journal of the command line: a folder that `haven journal watch` fills with the
/// directories that changed and `haven backup --journal` reads, so a backup without the agent can run optimized.
///
/// Layout: `lock` (held by the running watcher), `id` (new at every watcher start), `changes` (appended lines, one
/// directory each, `!overflow` when events were lost), `changes.taken` (what a backup took and has not yet
/// committed), `state.json` (the journal id, recovery point and multi-link directories of the last good backup), and
/// the hand-over files (`JournalDirectory+HandOver.swift`).
import Backup
import FileIO
import Foundation
import Glibc

struct JournalDirectory {
    let path: String

    struct State: Codable {
        var journalID: String
        var point: String
        var multiLinkDirectories: [String]
        /// The sources and exclusions the backup ran with (`BackupModeRules.fingerprint`); absent in a mark written
        /// before it was kept, which then matches no backup.
        var fingerprint: String?
    }

    /// What a backup takes from the journal: the directories recorded, whether events were lost, whether the
    /// running watcher answered the hand-over, and the journal id of the watcher that did (nil when none runs).
    typealias Taken = (directories: Set<String>, overflowed: Bool, answered: Bool, watcherID: String?)

    var lockPath: String { path + "/lock" }
    var idPath: String { path + "/id" }
    var changesPath: String { path + "/changes" }
    var takenPath: String { path + "/changes.taken" }
    var statePath: String { path + "/state.json" }

    static let overflowLine = "!overflow"
    /// How long `haven journal watch` lets events gather after the first one arrives before it reads them.
    /// 100 ms: about a tenth of the kernel's queue (16,384 events) at 15,000 file operations a second.
    static let gatherMicroseconds: UInt32 = 100_000

    /// Whether a watcher holds the journal now (its lock is taken).
    func isWatched() -> Bool {
        let fd = open(lockPath, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return true
    }

    func journalID() -> String? {
        (try? FileIO.readFile(idPath)).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    func state() -> State? {
        (try? FileIO.readFile(statePath)).flatMap { try? JSONDecoder().decode(State.self, from: Data($0)) }
    }

    /// Takes every change recorded so far: what a backup starting now must list. A running watcher hands them over
    /// itself, as it must remove its ignore marks at the same moment; `answered` is false when one runs and did not,
    /// and then nothing taken may be trusted. Without a watcher the backup lists everything anyway.
    func take() throws -> Taken {
        var answered = true
        let watched = isWatched()
        if watched { answered = requestHandOver() } else { try moveChangesToTaken() }
        let lines = ((try? FileIO.readFile(takenPath)) ?? []).split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
        return (Set(lines.filter { $0 != Self.overflowLine && $0.hasPrefix("/") }), lines.contains(Self.overflowLine), answered,
                watched && answered ? journalID() : nil)
    }

    /// Appends `changes` to `changes.taken`. The watcher appends by opening the file each time, so a change recorded
    /// after the rename lands in a new `changes` for the next backup.
    func moveChangesToTaken() throws {
        let pending = path + "/changes.pending"
        if rename(changesPath, pending) == 0 {
            let bytes = try FileIO.readFile(pending)
            let fd = open(takenPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw SystemError.current("open", path: takenPath) }
            defer { close(fd) }
            try FileIO.writeAll(fd: fd, bytes, path: takenPath)
            try FileIO.removeFile(pending)
        }
    }

    /// After a committed backup: its changes are consumed and its point is the next one's starting mark.
    func commit(_ state: State) throws {
        try FileIO.writeFileAtomically(statePath, Array(try JSONEncoder().encode(state)), durable: true)
        try? FileIO.removeFile(takenPath)
    }

    /// After a failed backup: the next one lists everything (MARS's rule), and keeps the taken changes meanwhile.
    func forgetState() { try? FileIO.removeFile(statePath) }
}
