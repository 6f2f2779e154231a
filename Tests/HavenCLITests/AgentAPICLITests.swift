/// The real `haven` binary as the agent's CLI: `haven agent serve` with its API, a `haven vault serve --insecure-http` on
/// loopback, and status, backup --wait, jobs, recovery-points, restore --wait and policy against them.
import FileIO
import Foundation
import Glibc
import Testing

@Suite("haven status, backup, jobs, recovery-points, restore and policy through the agent's API", .serialized)
struct AgentAPICLITests {
    /// A vault and an agent served by the binary on loopback, stopped when released.
    final class ServedPair {
        let vaultData: String
        let vaultId: String
        let vaultAddress: String
        let agentState: String
        let agentAddress: String
        private let cli: CLI
        private let vault = Process()
        private let agent = Process()
        private let cookies: String

        init(in temp: TempDir, cli: CLI) throws {
            vaultData = temp.sub("vault")
            agentState = temp.sub("agent")
            cookies = temp.sub("cookies")
            self.cli = cli
            let created = try cli.run(["vault", "create", "Production", "--data", vaultData, "--json"])
            vaultId = try #require((CLI.json(created.stdout) as? [String: Any])?["id"] as? String, "\(created.stderr)")
            vault.executableURL = URL(fileURLWithPath: CLI.binary)
            vault.arguments = ["vault", "serve", "--data", vaultData, "--listen", "127.0.0.1:0", "--insecure-http"]
            vault.standardOutput = FileHandle.nullDevice
            vault.standardError = FileHandle.nullDevice
            try vault.run()
            let data = vaultData
            vaultAddress = try Self.poll("vault serve wrote no address") {
                (try? FileIO.readFile(data + "/address")).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            }
            agentAddress = "http://127.0.0.1:\(try freePort())"
            agent.executableURL = URL(fileURLWithPath: CLI.binary)
            agent.arguments = ["agent", "serve", "--state", agentState, "--listen", String(agentAddress.dropFirst("http://".count))]
            agent.standardOutput = FileHandle.nullDevice
            agent.standardError = FileHandle.nullDevice
            try agent.run()
            _ = try Self.poll("agent serve did not answer") {
                try? self.curl(["-o", "/dev/null", "-w", "%{http_code}", self.agentAddress + "/api/v1/status"]) == "401" ? true : nil
            }
        }

        deinit {
            for process in [agent, vault] where process.isRunning {
                kill(process.processIdentifier, SIGTERM)
                process.waitUntilExit()
            }
        }

        static func poll<T>(_ failure: String, _ body: () -> T?) throws -> T {
            for _ in 0..<150 {
                if let value = body() { return value }
                usleep(100_000)
            }
            throw AgentVaultCLITests.CLIFailure(failure)
        }

        /// Runs curl and returns its standard output.
        @discardableResult
        func curl(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            process.arguments = ["-s", "--noproxy", "*", "-b", cookies, "-c", cookies] + arguments
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }

        /// A request to the agent's API with its token; returns "STATUS BODY".
        func api(_ method: String, _ path: String, _ body: [String: Any]) throws -> (status: Int, body: String) {
            let token = String(decoding: try FileIO.readFile(agentState + "/api-token"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
            let output = try curl(["-X", method, "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
                                   "--data-binary", json, "-w", "\n%{http_code}", agentAddress + "/api/v1/" + path])
            let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
        }

        /// A security PIN, as the administrator gets it: set the portal password with the setup token, generate one.
        func securityPIN() throws -> String {
            func csrf(_ page: String) throws -> String {
                let marker = "name=\"_csrf\" value=\""
                let start = try #require(page.range(of: marker), "no CSRF field in \(page.prefix(300))").upperBound
                return String(page[start...].prefix { $0 != "\"" })
            }
            if try curl([vaultAddress + "/vaults/" + vaultId]).contains("/setup") {
                // The token `vault serve` printed went to /dev/null: draw a new one, as an administrator who lost it would
                // (before opening /setup: a reset ends every portal session, and the form's CSRF token with it).
                let reset = try cli.run(["vault", "reset-password", "--data", vaultData, "--json"])
                let setupToken = try #require((CLI.json(reset.stdout) as? [String: Any])?["setupToken"] as? String, "\(reset.stderr)")
                let setup = try curl([vaultAddress + "/setup"])
                let done = try curl(["-i", "--data-urlencode", "_csrf=\(try csrf(setup))", "--data-urlencode", "token=\(setupToken)",
                                     "--data-urlencode", "username=administrator", "--data-urlencode", "password=a portal password",
                                     "--data-urlencode", "confirm=a portal password", vaultAddress + "/setup"])
                #expect(done.contains("303 See Other"), "\(done.prefix(600))")
            }
            let page = try curl([vaultAddress + "/vaults/" + vaultId])
            let answer = try curl(["--data-urlencode", "_csrf=\(try csrf(page))", vaultAddress + "/vaults/\(vaultId)/pin"])
            let marker = "aria-label=\"Security PIN "
            let start = try #require(answer.range(of: marker), "no PIN in \(answer.prefix(300))").upperBound
            return String(answer[start...].prefix(8))
        }
    }

    /// A served vault and agent, and a CLI that talks to that agent (no repository or vault of its own).
    static func served(in temp: TempDir) throws -> (ServedPair, CLI) {
        var cli = CLI(repository: temp.sub("unused"))
        for name in ["HAVEN_REPOSITORY", "HAVEN_PASSWORD", "HAVEN_VAULT"] { cli.environment[name] = nil }
        let pair = try ServedPair(in: temp, cli: cli)
        cli.environment["HAVEN_AGENT"] = pair.agentAddress
        cli.environment["HAVEN_AGENT_STATE"] = pair.agentState
        return (pair, cli)
    }

    /// Registers the agent as web-01 with the vault Production, through the agent's API.
    static func register(_ pair: ServedPair, _ cli: CLI, in temp: TempDir) throws {
        let credentials = temp.sub("Production.VaultCredentials")
        #expect(try cli.run(["vault", "credentials", "Production", "--data", pair.vaultData, "--out", credentials]).status == 0)
        let registered = try pair.api("POST", "registration", [
            "credentials": Data(try FileIO.readFile(credentials)).base64EncodedString(), "machineName": "web-01",
            "passphrase": "the agent's passphrase, long enough",
        ])
        #expect(registered.status == 201, "\(registered.body)")
    }

    @Test("status, backup --wait, jobs, recovery-points, restore --wait and policy show|set through a real agent serve")
    func wholeStory() throws {
        let temp = try TempDir()
        let (pair, cli) = try Self.served(in: temp)
        let source = temp.sub("source")
        try makeTree(at: source, files: 30)

        let before = try cli.run(["status"])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("not registered"), "\(before.stdout)")
        let noGoal = try cli.run(["backup"])
        #expect(noGoal.status != 0 && noGoal.stderr.contains("register"), "\(noGoal.stderr)")

        try Self.register(pair, cli, in: temp)
        let goal = try pair.api("PUT", "goal", [
            "paths": [source], "schedule": ["frequency": "daily", "times": ["03:00"], "timeZone": "UTC"],
            "retention": ["daily": 30, "weekly": 8, "monthly": 12, "yearly": 2], "securityPIN": try pair.securityPIN(),
        ])
        #expect(goal.status == 200, "\(goal.body)")

        let shown = try cli.run(["policy", "show"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("files and folders: \(source)") && shown.stdout.contains("retention: 30 daily, 8 weekly"), "\(shown.stdout)")
        let shownJSON = try #require(CLI.json(try cli.run(["policy", "show", "--json"]).stdout) as? [String: Any])
        #expect((shownJSON["goal"] as? [String: Any])?["paths"] as? [String] == [source])

        let backup = try cli.run(["backup", "--wait", "--json", "--retain-until", "2099-01-01T00:00:00Z"])
        #expect(backup.status == 0, "\(backup.stderr)")
        let detail = try #require(((CLI.json(backup.stdout) as? [String: Any])?["jobs"] as? [[String: Any]])?.first, "\(backup.stdout)")
        #expect((detail["job"] as? [String: Any])?["state"] as? String == "succeeded")
        let report = try #require(detail["report"] as? [String: Any])
        #expect(report["filesNew"] as? Int == 33)
        let point = try #require(report["recoveryPoint"] as? String)
        let jobId = try #require((detail["job"] as? [String: Any])?["id"] as? Int)

        let jobs = try cli.run(["jobs", "--json"])
        #expect(((CLI.json(jobs.stdout) as? [String: Any])?["jobs"] as? [Any])?.count == 1, "\(jobs.stdout) \(jobs.stderr)")
        let one = try cli.run(["jobs", "--job", "\(jobId)"])
        #expect(one.status == 0 && one.stdout.contains("succeeded") && one.stdout.contains("recovery point: \(point)"), "\(one.stdout) \(one.stderr)")
        #expect(try cli.run(["jobs", "--job", "99999"]).stderr.contains("99999"))

        let points = try cli.run(["recovery-points", "--json"])
        let listed = try #require((CLI.json(points.stdout) as? [String: Any])?["recoveryPoints"] as? [[String: Any]], "\(points.stdout) \(points.stderr)")
        #expect(listed.map { $0["id"] as? String } == [point])
        #expect(listed.first?["retainUntil"] as? String == "2099-01-01T00:00:00Z")
        let human = try cli.run(["recovery-points"])
        #expect(human.stdout.contains(String(point.prefix(8))) && human.stdout.contains("1 recovery point(s)"), "\(human.stdout)")

        let restored = try cli.run(["restore", "latest", "--target", temp.sub("restored"), "--wait"])
        #expect(restored.status == 0, "\(restored.stdout) \(restored.stderr)")
        #expect(restored.stdout.contains("restored 33 files"), "\(restored.stdout)")
        for path in ["big-0.bin", "big-2.bin", "dir-3/file-3.txt", "dir-16/file-16.txt"] {
            #expect(try FileIO.readFile(temp.sub("restored") + source + "/" + path) == FileIO.readFile(source + "/" + path), "\(path)")
        }
        let part = try cli.run(["restore", String(point.prefix(10)), "--target", temp.sub("part"), "--include", source + "/dir-3",
                                "--conflict", "overwrite", "--no-permissions", "--wait", "--json"])
        #expect(part.status == 0, "\(part.stderr)")
        #expect(try FileIO.readFile(temp.sub("part") + source + "/dir-3/file-3.txt") == FileIO.readFile(source + "/dir-3/file-3.txt"))
        #expect(!FileIO.exists(temp.sub("part") + source + "/big-0.bin"))

        let raised = try cli.run(["policy", "set", "--daily", "60"])
        #expect(raised.status == 0 && raised.stdout.contains("retention: 60 daily, 8 weekly"), "\(raised.stdout) \(raised.stderr)")
        let lowered = try cli.run(["policy", "set", "--daily", "7"])
        #expect(lowered.status != 0 && lowered.stderr.contains("security PIN"), "\(lowered.stderr)")
        let withPIN = try cli.run(["policy", "set", "--daily", "7", "--security-pin", try pair.securityPIN(), "--json"])
        #expect(withPIN.status == 0, "\(withPIN.stderr)")

        let after = try cli.run(["status"])
        #expect(after.stdout.contains("registered as web-01 with vault Production"), "\(after.stdout)")
        #expect(after.stdout.contains("last backup: succeeded, job \(jobId)"), "\(after.stdout)")

        try FileIO.makeDirectories(temp.sub("other-state"))
        try FileIO.writeFileAtomically(temp.sub("other-state") + "/api-token", Array("not the token\n".utf8))
        let refused = try cli.run(["status", "--agent-state", temp.sub("other-state")])
        #expect(refused.status != 0 && refused.stderr.contains("refused the API token"), "\(refused.stderr)")
        let nowhere = try cli.run(["jobs", "--agent", "http://127.0.0.1:1"])
        #expect(nowhere.status != 0 && nowhere.stderr.contains("cannot reach the agent at http://127.0.0.1:1"), "\(nowhere.stderr)")
    }
}

extension AgentAPICLITests {
    @Test("system-state lists a system-state point's components and writes its System State file")
    func systemState() throws {
        let temp = try TempDir()
        let (pair, cli) = try Self.served(in: temp)
        try Self.register(pair, cli, in: temp)
        let none = try cli.run(["system-state"])
        #expect(none.status != 0 && none.stderr.contains("no recovery points"), "\(none.stderr)")
        let goal = try pair.api("PUT", "goal", [
            "paths": [], "systemState": true, "schedule": ["frequency": "daily", "times": ["03:00"], "timeZone": "UTC"],
            "retention": ["daily": 30, "weekly": 8, "monthly": 12, "yearly": 2], "securityPIN": try pair.securityPIN(),
        ])
        #expect(goal.status == 200, "\(goal.body)")
        // A component this machine cannot collect (a container refuses sfdisk on its disk) is a warning, not a failure.
        _ = try cli.run(["backup", "--wait"])

        let listed = try cli.run(["system-state"])
        #expect(listed.status == 0, "\(listed.stderr)")
        for id in ["etc", "packages", "accounts", "storage", "firewall"] { #expect(listed.stdout.contains(id), "\(listed.stdout)") }
        let json = try #require(CLI.json(try cli.run(["system-state", "--json"]).stdout) as? [String: Any])
        let components = try #require(json["components"] as? [[String: Any]])
        #expect(components.first { $0["id"] as? String == "etc" }?["status"] as? String == "ok")

        let written = try cli.run(["system-state", "latest", "--file", temp.sub("state.tar.gz")])
        #expect(written.status == 0, "\(written.stderr)")
        let bytes = try FileIO.readFile(temp.sub("state.tar.gz"))
        #expect(bytes.prefix(2) == [0x1f, 0x8b])
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
        tar.arguments = ["-tzf", temp.sub("state.tar.gz")]
        let pipe = Pipe()
        tar.standardOutput = pipe
        try tar.run()
        let names = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0 && names.contains("README.md") && names.contains("manifest.json"), "\(names.prefix(500))")

        let offline = try cli.run(["system-state", "--repo", temp.sub("repo")])
        #expect(offline.status != 0 && offline.stderr.contains("through the agent"), "\(offline.stderr)")
    }
}

/// A TCP port nothing listens on right now, for a server that must be told its port.
func freePort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw AgentVaultCLITests.CLIFailure("no free port: errno \(errno)") }
    return UInt16(bigEndian: address.sin_port)
}
