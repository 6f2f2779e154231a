/// The real `haven` binary against a real `haven vault serve` over HTTPS: agent register, then the engine commands with --vault.
import FileIO
import Foundation
import Glibc
import Testing

@Suite("haven agent register and the engine commands on the vault, end to end", .serialized)
struct AgentVaultCLITests {
    /// A vault served by the binary on loopback (HTTPS, self-signed), stopped when released.
    final class ServedVault {
        let data: String
        let process = Process()
        let address: String

        init(in temp: TempDir, cli: CLI) throws {
            data = temp.sub("vault")
            let created = try cli.run(["vault", "create", "Production", "--data", data])
            guard created.status == 0 else { throw CLIFailure("vault create: \(created.stderr)") }
            process.executableURL = URL(fileURLWithPath: CLI.binary)
            process.arguments = ["vault", "serve", "--data", data, "--listen", "127.0.0.1:0"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            var found: String?
            for _ in 0..<100 where found == nil {
                if let bytes = try? FileIO.readFile(data + "/address") {
                    found = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                } else {
                    usleep(100_000)
                }
            }
            guard let found else { throw CLIFailure("vault serve wrote no address") }
            address = found
        }

        deinit {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }

        func credentials(_ cli: CLI, uses: Int, to file: String) throws {
            let issued = try cli.run(["vault", "credentials", "Production", "--data", data, "--out", file, "--uses", "\(uses)"])
            guard issued.status == 0 else { throw CLIFailure("vault credentials: \(issued.stderr)") }
        }
    }

    struct CLIFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A served vault with credentials for `credentialUses` registrations, a passphrase file and a source tree of 40
    /// files; the command line without a repository or passphrase of its own, and its cache folder in the test's folder.
    static func vaultAndSource(credentialUses: Int) throws
        -> (TempDir, CLI, ServedVault, credentials: String, passphrase: String, source: String) {
        let temp = try TempDir()
        var cli = CLI(repository: temp.sub("unused"))
        cli.environment["HAVEN_REPOSITORY"] = nil
        cli.environment["HAVEN_PASSWORD"] = nil
        cli.environment["XDG_CACHE_HOME"] = temp.sub("cache")
        let vault = try ServedVault(in: temp, cli: cli)
        let credentials = temp.sub("Production.VaultCredentials")
        try vault.credentials(cli, uses: credentialUses, to: credentials)
        let passphrase = temp.sub("passphrase")
        try FileIO.writeFileAtomically(passphrase, Array("the first machine's passphrase\n".utf8))
        let source = temp.sub("source")
        try makeTree(at: source, files: 40)
        return (temp, cli, vault, credentials, passphrase, source)
    }

    @Test("register, back up, list, restore identically; an unchanged backup adds nothing; another machine restores with the first one's passphrase")
    func wholeStory() throws {
        let (temp, cli, vault, credentials, passphrase, source) = try Self.vaultAndSource(credentialUses: 2)
        defer { withExtendedLifetime(vault) {} }  // the vault serves until the test ends

        let registered = try cli.run(["agent", "register", "--credentials", credentials, "--passphrase-file", passphrase,
                                      "--state", temp.sub("state"), "--name", "web-01", "--json"])
        #expect(registered.status == 0, "\(registered.stderr)")
        let answer = try #require(CLI.json(registered.stdout) as? [String: Any])
        #expect(answer["repository"] as? String == "created")
        #expect(answer["machineName"] as? String == "web-01")
        var mode = stat()
        #expect(stat(temp.sub("state") + "/machine-credential.json", &mode) == 0 && mode.st_mode & 0o777 == 0o600)

        let vaultArguments = ["--vault", temp.sub("state"), "--password-file", passphrase]
        let first = try cli.run(["backup", "--json"] + vaultArguments + [source])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try cli.run(["backup", "--json", "--item", "Source tree", "--retain-until", "2099-01-01T00:00:00Z"] + vaultArguments + [source])
        #expect(second.status == 0, "\(second.stderr)")
        let summary = try #require((CLI.json(second.stdout) as? [String: Any])?["summary"] as? [String: Any])
        #expect(summary["filesUnchanged"] as? Int == 43)
        #expect((summary["bytesStored"] as? Int ?? .max) < 4096, "\(summary)")

        let list = try cli.run(["recovery-points", "--json"] + vaultArguments)
        #expect((CLI.json(list.stdout) as? [Any])?.count == 2, "\(list.stdout) \(list.stderr)")
        let restored = try cli.run(["restore", "latest", "--target", temp.sub("restored")] + vaultArguments)
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(try FileIO.readFile(temp.sub("restored") + source + "/big-1.bin") == FileIO.readFile(source + "/big-1.bin"))
        #expect(try FileIO.readFile(temp.sub("restored") + source + "/dir-4/file-4.txt") == FileIO.readFile(source + "/dir-4/file-4.txt"))
        let check = try cli.run(["check", "--read-data"] + vaultArguments)
        #expect(check.status == 0 && check.stdout.contains("no errors were found"), "\(check.stdout) \(check.stderr)")

        // Restore to another server: a second machine reads web-01's repository with web-01's passphrase.
        let otherPassphrase = temp.sub("other-passphrase")
        try FileIO.writeFileAtomically(otherPassphrase, Array("web-02 has a passphrase of its own".utf8))
        let other = try cli.run(["agent", "register", "--credentials", credentials, "--passphrase-file", otherPassphrase,
                                 "--state", temp.sub("state2"), "--name", "web-02"])
        #expect(other.status == 0, "\(other.stderr)")
        let wrong = try cli.run(["ls", "latest", "--vault", temp.sub("state2"), "--machine", "web-01", "--password-file", otherPassphrase])
        #expect(wrong.status == 12, "\(wrong.stderr)")
        let elsewhere = try cli.run(["restore", "latest", "--vault", temp.sub("state2"), "--machine", "web-01", "--password-file", passphrase,
                                     "--target", temp.sub("elsewhere")])
        #expect(elsewhere.status == 0, "\(elsewhere.stderr)")
        #expect(try FileIO.readFile(temp.sub("elsewhere") + source + "/big-0.bin") == FileIO.readFile(source + "/big-0.bin"))
        let refused = try cli.run(["backup", "--vault", temp.sub("state2"), "--machine", "web-01", "--password-file", passphrase, source])
        #expect(refused.status != 0)
    }

    @Test("a backup to the vault keeps its trees' links in the cache folder; a damaged cache is replaced; --no-cache keeps nothing")
    func cacheFolder() throws {
        let (temp, cli, vault, credentials, passphrase, source) = try Self.vaultAndSource(credentialUses: 1)
        defer { withExtendedLifetime(vault) {} }  // the vault serves until the test ends
        let registered = try cli.run(["agent", "register", "--credentials", credentials, "--passphrase-file", passphrase,
                                      "--state", temp.sub("state"), "--name", "web-01"])
        #expect(registered.status == 0, "\(registered.stderr)")
        let vaultArguments = ["--vault", temp.sub("state"), "--password-file", passphrase]

        let first = try cli.run(["backup"] + vaultArguments + [source])
        #expect(first.status == 0, "\(first.stderr)")
        let repositories = try FileIO.listDirectory(temp.sub("cache/haven"))
        #expect(repositories.count == 1, "\(repositories)")
        let file = temp.sub("cache/haven/") + (repositories.first ?? "") + "/tree-links"
        var status = stat()
        #expect(stat(file, &status) == 0 && status.st_mode & 0o777 == 0o600, "the cache is the user's alone")
        let saved = try FileIO.readFile(file)
        #expect(saved.count > 3 * 32, "the links of the source's trees: \(saved.count) bytes")
        #expect(!String(decoding: saved, as: UTF8.self).contains("haven-tree-links"), "the file is sealed")

        var damaged = saved
        damaged[damaged.count / 2] ^= 0x20
        try FileIO.writeFileAtomically(file, damaged)
        try FileIO.writeFileAtomically(source + "/dir-1/new.txt", Array("a change".utf8))
        let second = try cli.run(["backup"] + vaultArguments + [source])
        #expect(second.status == 0, "a damaged cache is no error: \(second.stderr)")
        #expect(second.stderr.isEmpty, "\(second.stderr)")
        let replaced = try FileIO.readFile(file)
        #expect(replaced != damaged && replaced.count > saved.count, "the damaged cache was replaced, with the new trees too")
        let check = try cli.run(["check", "--read-data"] + vaultArguments)
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")

        let noCache = try cli.run(["backup", "--no-cache"] + vaultArguments + [source],
                                  environment: ["XDG_CACHE_HOME": temp.sub("other-cache")])
        #expect(noCache.status == 0, "\(noCache.stderr)")
        #expect(!FileManager.default.fileExists(atPath: temp.sub("other-cache")), "--no-cache made a cache folder")
    }

    @Test("expired, used-up and foreign credentials files, a second registration and a missing state are refused with clear messages")
    func refusals() throws {
        let temp = try TempDir()
        var cli = CLI(repository: temp.sub("unused"))
        cli.environment["HAVEN_REPOSITORY"] = nil
        let vault = try ServedVault(in: temp, cli: cli)
        let credentials = temp.sub("Production.VaultCredentials")
        try vault.credentials(cli, uses: 1, to: credentials)
        let passphrase = temp.sub("passphrase")
        try FileIO.writeFileAtomically(passphrase, Array("a passphrase of at least sixteen".utf8))
        func register(_ state: String, _ extra: [String] = [], file: String? = nil) throws -> CLI.Result {
            try cli.run(["agent", "register", "--credentials", file ?? credentials, "--passphrase-file", passphrase, "--state", temp.sub(state)] + extra)
        }

        var json = try #require(try JSONSerialization.jsonObject(with: Data(FileIO.readFile(credentials))) as? [String: Any])
        json["expiresAt"] = "2020-01-02T03:04:05Z"
        try FileIO.writeFileAtomically(temp.sub("old.VaultCredentials"), Array(try JSONSerialization.data(withJSONObject: json)))
        let expired = try register("state", file: temp.sub("old.VaultCredentials"))
        #expect(expired.status != 0)
        #expect(expired.stderr.contains("the vault credentials expired on 2020-01-02 03:04 UTC; download a new file from the vault portal"),
                "\(expired.stderr)")
        let foreign = try register("state", file: passphrase)
        #expect(foreign.stderr.contains("is not a vault credentials file"), "\(foreign.stderr)")

        #expect(try register("state", ["--name", "web-01"]).status == 0)
        let again = try register("state", ["--name", "web-01"])
        #expect(again.stderr.contains("already registered as web-01"), "\(again.stderr)")
        let usedUp = try register("other", ["--name", "web-02"])
        #expect(usedUp.status != 0)
        #expect(usedUp.stderr.contains("the vault refused to register"), "\(usedUp.stderr)")

        let unregistered = try cli.run(["recovery-points", "--vault", temp.sub("nowhere"), "--password-file", passphrase])
        #expect(unregistered.status == 10)
        #expect(unregistered.stderr.contains("haven agent register"), "\(unregistered.stderr)")
        let both = try cli.run(["recovery-points", "--vault", temp.sub("state"), "--repo", temp.sub("repo"), "--password-file", passphrase])
        #expect(both.status != 0 && both.stderr.contains("either --repo or --vault"), "\(both.stderr)")
    }
}
