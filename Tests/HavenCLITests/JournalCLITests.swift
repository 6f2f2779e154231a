/// `haven journal watch` and `haven backup --journal`: optimized backups from the command line, and their gaps.
import FileIO
import Foundation
import Glibc
import Testing

@Suite("haven journal, end to end", .serialized)
struct JournalCLITests {
    /// Starts the watcher and waits until it wrote its journal id.
    static func watch(_ journal: String, _ source: String) throws -> Process {
        try? FileIO.removeFile(journal + "/id")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["journal", "watch", "--journal", journal, source]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 where !FileIO.exists(journal + "/id") { usleep(50_000) }
        #expect(FileIO.exists(journal + "/id"), "the watcher did not start")
        return process
    }

    static func stop(_ process: Process) {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    /// Backs up with the journal and returns (mode, reason, files changed).
    static func backup(_ cli: CLI, _ journal: String, _ source: String, _ options: [String] = []) throws -> (String, String?, Int) {
        usleep(500_000)  // the watcher writes what it saw every 200 ms
        let result = try cli.run(["backup", "--json", "--journal", journal] + options + [source])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(CLI.json(result.stdout) as? [String: Any], "\(result.stdout)")
        let summary = report["summary"] as? [String: Any]
        return (report["mode"] as? String ?? "", report["modeReason"] as? String, summary?["filesChanged"] as? Int ?? -1)
    }

    /// A source tree and an initialized repository in a temporary folder; the journal's folder is `journal` in it.
    static func prepared(files: Int) throws -> (temp: TempDir, source: String, journal: String, cli: CLI) {
        let temp = try TempDir()
        let source = temp.sub("source")
        try makeTree(at: source, files: files)
        let cli = CLI(repository: temp.sub("repo"))
        #expect(try cli.run(["repo", "init"]).status == 0)
        return (temp, source, temp.sub("journal"), cli)
    }

    @Test("with a watcher running, a backup lists only what changed; without one, or after it restarted, it lists everything")
    func optimizedFromTheCommandLine() throws {
        let (temp, source, journal, cli) = try Self.prepared(files: 200)
        defer { withExtendedLifetime(temp) {} }

        var watcher = try Self.watch(journal, source)
        #expect(try Self.backup(cli, journal, source).0 == "unoptimized")
        try FileIO.writeFileAtomically(source + "/dir-3/file-3.txt", Array("changed".utf8), durable: false)
        let (mode, _, changed) = try Self.backup(cli, journal, source)
        #expect(mode == "optimized" && changed == 1)
        // Nothing changed: still optimized, nothing read.
        #expect(try Self.backup(cli, journal, source).0 == "optimized")

        Self.stop(watcher)
        try FileIO.writeFileAtomically(source + "/dir-4/file-4.txt", Array("changed while nobody watched".utf8), durable: false)
        let (unwatched, reason, found) = try Self.backup(cli, journal, source)
        #expect(unwatched == "unoptimized" && found == 1)
        #expect(reason?.contains("no `haven journal watch`") == true, "\(reason ?? "")")

        watcher = try Self.watch(journal, source)
        let unmarked = try Self.backup(cli, journal, source)
        #expect(unmarked.0 == "unoptimized" && unmarked.1?.contains("no mark") == true, "\(unmarked.1 ?? "")")
        // A watcher restarted after a good backup is a gap: what happened in between is unknown.
        Self.stop(watcher)
        watcher = try Self.watch(journal, source)
        defer { Self.stop(watcher) }
        let restarted = try Self.backup(cli, journal, source)
        #expect(restarted.0 == "unoptimized" && restarted.1?.contains("restarted") == true, "\(restarted.1 ?? "")")
        try FileIO.writeFileAtomically(source + "/dir-5/file-5.txt", Array("changed again".utf8), durable: false)
        let (again, _, changedAgain) = try Self.backup(cli, journal, source)
        #expect(again == "optimized" && changedAgain == 1)
    }

    @Test("a folder the watcher already recorded keeps being backed up: the backup's hand-over removes the watcher's ignore marks")
    func recordedFolderChangesAgain() throws {
        let (temp, source, journal, cli) = try Self.prepared(files: 20)
        defer { withExtendedLifetime(temp) {} }
        let watcher = try Self.watch(journal, source)
        defer { Self.stop(watcher) }
        #expect(try Self.backup(cli, journal, source).0 == "unoptimized")

        // Recorded by the watcher (backup waits half a second), then changed again: that event is dropped.
        try FileIO.writeFileAtomically(source + "/dir-3/file-3.txt", Array("changed".utf8), durable: false)
        usleep(500_000)
        try FileIO.writeFileAtomically(source + "/dir-3/file-3.txt", Array("changed again".utf8), durable: false)
        let (mode, reason, changed) = try Self.backup(cli, journal, source)
        #expect(mode == "optimized" && changed == 1, "\(mode) \(reason ?? "") \(changed)")

        for round in 1...2 {
            try FileIO.writeFileAtomically(source + "/dir-3/file-3.txt", Array("changed after backup \(round)".utf8), durable: false)
            let (next, why, found) = try Self.backup(cli, journal, source)
            #expect(next == "optimized" && found == 1, "round \(round): \(next) \(why ?? "") \(found)")
        }
    }

    @Test("a backup with other exclusions than the journal's last one lists everything, so a newly excluded file leaves and a no longer excluded one comes back")
    func exclusionsChangedMeansUnoptimized() throws {
        let (temp, source, journal, cli) = try Self.prepared(files: 20)
        defer { withExtendedLifetime(temp) {} }
        let watcher = try Self.watch(journal, source)
        defer { Self.stop(watcher) }
        #expect(try Self.backup(cli, journal, source).0 == "unoptimized")
        #expect(try Self.backup(cli, journal, source).0 == "optimized")

        // Nothing changed on disk, but file-3.txt is now excluded: the parent's unchanged folder must not be reused.
        let (excluded, reason, _) = try Self.backup(cli, journal, source, ["--exclude", "file-3.txt"])
        #expect(excluded == "unoptimized" && reason?.contains("exclusions changed") == true, "\(excluded) \(reason ?? "")")
        let listed = try cli.run(["ls", "latest"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(!listed.stdout.contains("file-3.txt") && listed.stdout.contains("file-4.txt"), "\(listed.stdout)")
        #expect(try Self.backup(cli, journal, source, ["--exclude", "file-3.txt"]).0 == "optimized")

        let (included, why, _) = try Self.backup(cli, journal, source)
        #expect(included == "unoptimized" && why?.contains("exclusions changed") == true, "\(included) \(why ?? "")")
        let relisted = try cli.run(["ls", "latest"])
        #expect(relisted.stdout.contains("file-3.txt"), "\(relisted.stdout)")
    }
}
