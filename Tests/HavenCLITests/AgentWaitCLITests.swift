/// The real `haven` binary as vault host and agent: a security PIN from `haven vault pin`, and a job followed with
/// `GET /api/v1/jobs/{id}?wait=S`, which answers when the job ends instead of when the client looks next.
import FileIO
import Foundation
import Testing

extension AgentAPICLITests {
    /// A PIN printed by `haven vault pin`, as a script on the vault host reads it.
    static func pin(_ pair: ServedPair, _ cli: CLI, vault: String = "Production") throws -> CLI.Result {
        try cli.run(["vault", "pin", vault, "--data", pair.vaultData, "--json"])
    }

    @Test("a PIN from haven vault pin lets the agent store its first retention, once; an unknown vault gets none")
    func pinFromTheVaultHost() throws {
        let temp = try TempDir()
        let (pair, cli) = try Self.served(in: temp)
        try Self.register(pair, cli, in: temp)
        let issued = try Self.pin(pair, cli)
        #expect(issued.status == 0, "\(issued.stderr)")
        let answer = try #require(CLI.json(issued.stdout) as? [String: Any], "\(issued.stdout)")
        let pin = try #require(answer["pin"] as? String)
        #expect(pin.count == 8 && pin.allSatisfy(\.isNumber), "\(pin)")
        #expect((answer["expiresAt"] as? String)?.hasSuffix("Z") == true, "\(answer)")

        func saveGoal(daily: Int) throws -> (status: Int, body: String) {
            try pair.api("PUT", "goal", [
                "paths": [temp.sub("source")], "schedule": ["frequency": "daily", "times": ["03:00"], "timeZone": "UTC"],
                "retention": ["daily": daily, "weekly": 8, "monthly": 12, "yearly": 2], "securityPIN": pin,
            ])
        }
        let first = try saveGoal(daily: 30)
        #expect(first.status == 200, "\(first.body)")
        let again = try saveGoal(daily: 7)
        #expect(again.status != 200, "a PIN works once: \(again.body)")

        let nowhere = try Self.pin(pair, cli, vault: "Nowhere")
        #expect(nowhere.status != 0 && nowhere.stdout.isEmpty, "\(nowhere.stdout)")
        #expect(nowhere.stderr.contains("Nowhere"), "\(nowhere.stderr)")
    }

    @Test("GET jobs/{id}?wait=S answers as soon as the job ends, and with the job as it stands after S seconds")
    func waitingForAJob() throws {
        let temp = try TempDir()
        let (pair, cli) = try Self.served(in: temp)
        try Self.register(pair, cli, in: temp)
        let source = temp.sub("source")
        try makeTree(at: source, files: 5)
        let pin = try #require((CLI.json(try Self.pin(pair, cli).stdout) as? [String: Any])?["pin"] as? String)
        // The pre-backup command makes the job last at least two seconds.
        let goal = try pair.api("PUT", "goal", [
            "paths": [source], "schedule": ["frequency": "daily", "times": ["03:00"], "timeZone": "UTC"],
            "retention": ["daily": 30, "weekly": 8, "monthly": 12, "yearly": 2], "securityPIN": pin,
            "commands": ["pre": "sleep 2"],
        ])
        #expect(goal.status == 200, "\(goal.body)")
        let queued = try pair.api("POST", "backups", [:])
        #expect(queued.status == 202, "\(queued.body)")
        let id = try #require(((CLI.json(queued.body) as? [String: Any])?["jobs"] as? [[String: Any]])?.first?["id"] as? Int)

        func state(_ answer: (status: Int, body: String)) -> String? {
            ((CLI.json(answer.body) as? [String: Any])?["job"] as? [String: Any])?["state"] as? String
        }
        var started = Date()
        let early = try pair.api("GET", "jobs/\(id)?wait=1", [:])
        let earlyTook = Date().timeIntervalSince(started)
        #expect(early.status == 200, "\(early.body)")
        #expect(["queued", "running"].contains(state(early) ?? ""), "\(early.body)")
        #expect(earlyTook >= 0.9 && earlyTook < 1.9, "answered after \(earlyTook) s")

        started = Date()
        let done = try pair.api("GET", "jobs/\(id)?wait=30", [:])
        let doneTook = Date().timeIntervalSince(started)
        #expect(state(done) == "succeeded", "\(done.body)")
        #expect((((CLI.json(done.body) as? [String: Any])?["report"] as? [String: Any])?["recoveryPoint"] as? String) != nil, "\(done.body)")
        #expect(doneTook > 0.3 && doneTook < 10, "answered after \(doneTook) s")

        let bad = try pair.api("GET", "jobs/\(id)?wait=61", [:])
        #expect(bad.status == 400 && bad.body.contains("\"field\":\"wait\""), "\(bad.body)")
    }
}
