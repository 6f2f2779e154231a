import ArgumentParser
import Backup
import FileIO
import Foundation
import Glibc

/// `haven journal watch`: the change journal without the agent, for `haven backup --journal` (optimized mode).
struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal", abstract: "Keep a change journal for optimized backups from the command line.",
        subcommands: [Watch.self])

    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch",
            abstract: "Record which directories under PATH change, until SIGTERM or SIGINT (needs root and Linux 5.9+).",
            discussion: """
                Watches each PATH's whole filesystem with fanotify and appends every directory under a PATH that changes to
                DIR/changes. `haven backup --journal DIR PATH...` then lists only those directories. Restarting the watcher
                is a gap: the next backup lists everything.
                """)

        @Option(name: .long, help: "The journal directory (created if missing).")
        var journal: String

        @Argument(help: "The protected paths.")
        var paths: [String]

        func run() throws {
            try runCommand {
                let directory = JournalDirectory(path: journal)
                try FileIO.makeDirectories(journal, mode: 0o700)
                let lock = open(directory.lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
                guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else {
                    throw CommandFailure("another `haven journal watch` is keeping \(journal); stop it first")
                }
                var signals = sigset_t()
                sigemptyset(&signals)
                sigaddset(&signals, SIGTERM)
                sigaddset(&signals, SIGINT)
                pthread_sigmask(SIG_BLOCK, &signals, nil)

                let watcher: FanotifyWatcher
                do { watcher = try FanotifyWatcher() } catch {
                    throw CommandFailure("no change journal here: \(error)")
                }
                for path in paths {
                    do { try watcher.watch(filesystemAt: path) } catch { throw CommandFailure("\(error)") }
                }
                // A new journal: what an earlier watcher recorded belongs to another journal id.
                for stale in [directory.changesPath, directory.takenPath] { try? FileIO.removeFile(stale) }
                let requests = try directory.openRequests()
                defer { close(requests) }
                var handOvers = 0
                try FileIO.writeFileAtomically(directory.idPath, Array((UUID().uuidString.lowercased() + "\n").utf8), durable: true)
                Output.line("watching \(watcher.roots.sorted().joined(separator: ", ")); the journal is \(journal)")
                while true {
                    // Once events arrive, let them gather for a moment before reading: the kernel merges repeated
                    // events in its queue, and one read then resolves each busy directory once instead of once per
                    // wake-up (bench/churn.sh measured 80% of a file-churning process's CPU without this).
                    // A backup waiting for its hand-over is not kept waiting while events gather.
                    let queued = watcher.waitForEvents(timeoutMilliseconds: 200, orReadable: requests)
                    var handOver = JournalDirectory.takeRequests(requests)
                    if queued, !handOver {
                        usleep(JournalDirectory.gatherMicroseconds)
                        handOver = JournalDirectory.takeRequests(requests)
                    }
                    // A backup's hand-over: read, remove the ignore marks, then move the changes aside (see
                    // JournalDirectory+HandOver.swift); nothing is read between the last two steps.
                    try directory.append(handOver ? watcher.pollForMark() : watcher.poll())
                    if handOver {
                        handOvers += 1
                        try directory.handOver(number: handOvers)
                    }
                    var pending = sigset_t()
                    sigpending(&pending)
                    if sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1 { return }
                }
            }
        }
    }
}
