import FileIO
import Foundation
import Glibc
import Testing

@Suite("The haven command line, end to end", .serialized)
struct CLITests {
    @Test("init, backup, recovery-points, ls, find, diff, restore and check work together, in text and JSON")
    func wholeStory() throws {
        let temp = try TempDir()
        let source = temp.sub("source")
        try makeTree(at: source, files: 60)
        let cli = CLI(repository: temp.sub("repo"))
        #expect(try cli.run(["repo", "init"]).status == 0)

        let first = try cli.run(["backup", "--json", source])
        #expect(first.status == 0, "\(first.stderr)")
        let firstID = try #require((CLI.json(first.stdout) as? [String: Any])?["id"] as? String)
        try FileIO.writeFileAtomically(source + "/dir-3/file-3.txt", Array("changed".utf8))
        let second = try cli.run(["backup", source])
        #expect(second.status == 0)
        #expect(second.stdout.contains("1 changed"), "\(second.stdout)")

        let list = try cli.run(["recovery-points", "--json"])
        #expect((CLI.json(list.stdout) as? [Any])?.count == 2)
        let ls = try cli.run(["ls", "latest", source + "/dir-3"])
        #expect(ls.stdout.contains(source + "/dir-3/file-3.txt"))
        let find = try cli.run(["find", "file-3.txt"])
        #expect(find.stdout.contains("2 match(es)"), "\(find.stdout)")
        let diff = try cli.run(["diff", String(firstID.prefix(8)), "latest"])
        #expect(diff.stdout.contains("M  " + source + "/dir-3/file-3.txt"), "\(diff.stdout)")

        let target = temp.sub("target")
        let restore = try cli.run(["restore", String(firstID.prefix(12)), "--target", target])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(try FileIO.readFile(target + source + "/dir-5/file-5.txt") == FileIO.readFile(source + "/dir-5/file-5.txt"))
        #expect(try FileIO.readFile(target + source + "/dir-3/file-3.txt") != Array("changed".utf8))

        let check = try cli.run(["check", "--read-data"])
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.contains("no errors were found"))
    }

    @Test("a wrong passphrase exits 12, a missing repository 10, both with a clear message")
    func exitCodes() throws {
        let temp = try TempDir()
        let cli = CLI(repository: temp.sub("repo"))
        let missing = try cli.run(["recovery-points"])
        #expect(missing.status == 10)
        #expect(missing.stderr.contains("there is no repository"))
        #expect(try cli.run(["repo", "init"]).status == 0)
        let wrong = try cli.run(["recovery-points"], environment: ["HAVEN_PASSWORD": "not the right passphrase"])
        #expect(wrong.status == 12)
        #expect(wrong.stderr.contains("passphrase is wrong"))
        let short = try CLI(repository: temp.sub("other"), password: "short").run(["repo", "init"])
        #expect(short.status == 1)
        #expect(short.stderr.contains("at least 16"))
        let noPassword = try cli.run(["recovery-points"], environment: ["HAVEN_PASSWORD": ""])
        #expect(noPassword.stderr.contains("--password-file"))
    }

    @Test("the passphrase can come from a file, and passwd changes it without re-encrypting")
    func passwordFile() throws {
        let temp = try TempDir()
        let file = temp.sub("pass")
        try FileIO.writeFileAtomically(file, Array("from a file, long enough\n".utf8))
        let cli = CLI(repository: temp.sub("repo"), password: "")
        #expect(try cli.run(["repo", "init", "--password-file", file]).status == 0)
        #expect(try cli.run(["recovery-points", "--password-file", file]).status == 0)
        let newFile = temp.sub("new")
        try FileIO.writeFileAtomically(newFile, Array("the new passphrase, long\n".utf8))
        #expect(try cli.run(["repo", "passwd", "--password-file", file, "--new-password-file", newFile]).status == 0)
        #expect(try cli.run(["recovery-points", "--password-file", file]).status == 12)
        #expect(try cli.run(["recovery-points", "--password-file", newFile]).status == 0)
    }

    @Test("a backup killed at random moments leaves a repository that passes check, and the next backup reuses its packs")
    func killedBackups() throws {
        let temp = try TempDir()
        let source = temp.sub("source")
        try makeTree(at: source, files: 400)
        // How long a whole backup takes here, so the kills land inside one whatever the machine's speed.
        let timing = CLI(repository: temp.sub("timing"))
        #expect(try timing.run(["repo", "init", "--pack-size", "1"]).status == 0)
        let started = Date()
        #expect(try timing.run(["backup", source]).status == 0)
        let duration = Date().timeIntervalSince(started)

        let cli = CLI(repository: temp.sub("repo"))
        #expect(try cli.run(["repo", "init", "--pack-size", "1"]).status == 0)
        func packsStored() -> Int {
            (try? FileIO.listDirectory(temp.sub("repo/data")).reduce(0) { count, sub in
                count + ((try? FileIO.listDirectory(temp.sub("repo/data/") + sub).count) ?? 0)
            }) ?? 0
        }
        var killed = 0
        for attempt in 1...6 {
            let before = packsStored()
            let process = try cli.start(["backup", source])
            if attempt < 6 {
                usleep(useconds_t(duration * Double(attempt) / 7 * 1_000_000))
            } else {
                // The last kill lands once this run has stored a pack of its own, however the machine's speed
                // compares with the timed backup's: the reuse checked below needs packs from a killed run.
                while process.isRunning && packsStored() <= before { usleep(1_000) }
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            process.waitUntilExit()
            let check = try cli.run(["check", "--read-data"])
            #expect(check.status == 0, "after kill \(attempt): \(check.stdout) \(check.stderr)")
        }
        #expect(killed > 0)
        let packsLeft = packsStored()
        #expect(packsLeft > 0, "no kill landed after a pack was stored")
        let final = try cli.run(["backup", "--json", source])
        #expect(final.status == 0)
        let summary = (CLI.json(final.stdout) as? [String: Any])?["summary"] as? [String: Any]
        let total = summary?["bytes"] as? Int ?? 0
        let added = summary?["bytesAdded"] as? Int ?? -1
        #expect(added < total, "nothing from the killed runs was reused: added \(added) of \(total)")
        let target = temp.sub("target")
        #expect(try cli.run(["restore", "latest", "--target", target]).status == 0)
        #expect(try FileIO.readFile(target + source + "/big-1.bin") == FileIO.readFile(source + "/big-1.bin"))
        #expect(try cli.run(["check", "--read-data"]).status == 0)
    }
}
