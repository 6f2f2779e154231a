/// The backup goal through the API: validation field by field, the PIN the vault wants for a lower retention,
/// and the source picker's volumes and folders.
import AgentPortal
import FileIO
import Foundation
import Testing

@Suite("API backup goal", .serialized)
struct APIGoalTests {
    @Test("invalid goals answer 400 naming the field; the vault's first policy needs a PIN; a stored goal reads back as sent")
    func goal() async throws {
        let vault = try APILoopbackVault()
        let agent = try APITestAgent()
        let credentials = try JSONSerialization.jsonObject(with: Data(try vault.credentialsFile()))
        #expect(try await agent.call("POST", "/api/v1/registration", object: [
            "credentials": credentials, "machineName": "web-01", "passphrase": "a passphrase of at least sixteen",
        ]).status == 201)
        #expect(try await agent.call("GET", "/api/v1/goal").decode(AgentAPI.GoalState.self).goal == nil)

        func goal(_ change: (inout [String: Any]) -> Void) -> [String: Any] {
            var body = APITestAgent.goal(paths: ["/srv"])
            change(&body)
            return body
        }
        let invalid: [(String, [String: Any])] = [
            ("sources", goal { $0["paths"] = ["relative/path"] }),
            ("sources", goal { $0["paths"] = [String]() }),
            ("schedule", goal { $0["schedule"] = ["frequency": "daily", "times": ["25:00"], "timeZone": "UTC"] }),
            ("schedule", goal { $0["schedule"] = ["frequency": "hourly", "times": ["03:00"], "timeZone": "UTC"] }),
            ("schedule", goal { $0["schedule"] = ["frequency": "weekly", "days": ["funday"], "times": ["03:00"], "timeZone": "UTC"] }),
            ("schedule", goal { $0["schedule"] = ["frequency": "weekly", "days": [String](), "times": ["03:00"], "timeZone": "UTC"] }),
            ("schedule", goal { $0["schedule"] = ["frequency": "daily", "times": ["01:00", "02:00", "03:00", "04:00"], "timeZone": "UTC"] }),
            ("schedule", goal { $0["schedule"] = ["frequency": "daily", "times": ["03:00"], "timeZone": "Mars/Olympus"] }),
            ("exclusions", goal { $0["exclusions"] = [["folder": "cache"]] }),
            ("retention", goal { $0["retention"] = ["daily": -1, "weekly": 0, "monthly": 0, "yearly": 0] }),
            ("retention", goal { $0["retention"] = nil }),
            ("initialBackup", goal { $0["initialBackup"] = ["mode": "offline"] }),
            ("initialBackup", goal { $0["initialBackup"] = ["mode": "by pigeon"] }),
            ("preCommand", goal { $0["commands"] = ["pre": "   "] }),
            ("commandTimeoutSeconds", goal { $0["commands"] = ["pre": "true", "timeoutSeconds": 0] }),
        ]
        for (field, body) in invalid {
            let answer = try await agent.call("PUT", "/api/v1/goal", object: body)
            #expect(answer.status == 400, "\(body): \(answer.status) \(answer.errorMessage)")
            #expect(answer.errorField == field, "\(body): \(answer.errorMessage)")
        }

        var wanted = goal {
            $0["paths"] = ["/srv", "/etc"]
            $0["exclusions"] = [["folder": "/srv/cache"], ["folder": "/srv", "wildcard": "*.tmp", "subfolders": false]]
            $0["schedule"] = ["frequency": "weekly", "days": ["friday", "monday"], "times": ["22:30", "06:00"], "timeZone": "Europe/Berlin"]
            $0["commands"] = ["pre": "pg_dump -f /srv/dump.sql app", "post": "rm -f /srv/dump.sql", "timeoutSeconds": 120]
        }
        let refused = try await agent.call("PUT", "/api/v1/goal", object: wanted)
        #expect(refused.status == 403)
        #expect(refused.errorCode == "pin_required")
        #expect(refused.errorMessage.contains("security PIN"))
        wanted["securityPIN"] = try vault.pin()
        let stored = try await agent.call("PUT", "/api/v1/goal", object: wanted)
        #expect(stored.status == 200, "\(stored.errorMessage)")
        let read = try #require(try await agent.call("GET", "/api/v1/goal").decode(AgentAPI.GoalState.self).goal)
        #expect(read.paths == ["/etc", "/srv"])
        #expect(read.exclusions.count == 2)
        #expect(read.exclusions.last?.wildcard == "*.tmp" && read.exclusions.last?.subfolders == false)
        #expect(read.schedule.frequency == "weekly" && read.schedule.days == ["monday", "friday"])
        #expect(read.schedule.times == ["06:00", "22:30"] && read.schedule.timeZone == "Europe/Berlin")
        #expect(read.retention == AgentAPI.Retention(daily: 30, weekly: 8, monthly: 12, yearly: 2))
        #expect(read.initialBackup.mode == "online")
        #expect(read.commands == AgentAPI.Commands(pre: "pg_dump -f /srv/dump.sql app", post: "rm -f /srv/dump.sql", timeoutSeconds: 120))
        #expect(try stored.decode(AgentAPI.GoalState.self).goal == read)
    }

    @Test("retention alone: keeping more needs no PIN, keeping fewer needs one, and without a goal there is nothing to change")
    func retention() async throws {
        let vault = try APILoopbackVault()
        let agent = try APITestAgent()
        let credentials = try JSONSerialization.jsonObject(with: Data(try vault.credentialsFile()))
        #expect(try await agent.call("POST", "/api/v1/registration", object: [
            "credentials": credentials, "machineName": "web-01", "passphrase": "a passphrase of at least sixteen",
        ]).status == 201)
        let none = try await agent.call("PUT", "/api/v1/goal/retention", object: ["daily": 1, "weekly": 1, "monthly": 1, "yearly": 1])
        #expect(none.status == 404)
        #expect(try await agent.call("PUT", "/api/v1/goal", object: APITestAgent.goal(paths: ["/srv"], pin: try vault.pin())).status == 200)

        let more = try await agent.call("PUT", "/api/v1/goal/retention", object: ["daily": 60, "weekly": 8, "monthly": 12, "yearly": 2])
        #expect(more.status == 200, "\(more.errorMessage)")
        #expect(try more.decode(AgentAPI.GoalState.self).goal?.retention.daily == 60)
        let fewer = try await agent.call("PUT", "/api/v1/goal/retention", object: ["daily": 7, "weekly": 8, "monthly": 12, "yearly": 2])
        #expect(fewer.status == 403)
        #expect(fewer.errorCode == "pin_required")
        #expect(try await agent.call("GET", "/api/v1/goal").decode(AgentAPI.GoalState.self).goal?.retention.daily == 60)
        let withPIN = try await agent.call("PUT", "/api/v1/goal/retention",
                                     object: ["daily": 7, "weekly": 8, "monthly": 12, "yearly": 2, "securityPIN": try vault.pin()])
        #expect(withPIN.status == 200, "\(withPIN.errorMessage)")
        #expect(try await agent.call("GET", "/api/v1/goal").decode(AgentAPI.GoalState.self).goal?.retention.daily == 7)
        let bad = try await agent.call("PUT", "/api/v1/goal/retention", json: #"{"daily": "seven"}"#)
        #expect(bad.status == 400)
        #expect(bad.errorField == "daily")
    }

    @Test("the source picker lists volumes and the folders of this machine; bad and missing paths answer 400 and 404")
    func picker() async throws {
        let agent = try APITestAgent()
        let volumes = try await agent.call("GET", "/api/v1/volumes")
        #expect(volumes.status == 200)
        #expect((try? volumes.decode(AgentAPI.Volumes.self)) != nil)
        let source = try temporaryDirectory("agent-api-picker")
        defer { try? FileIO.removeTree(source) }
        try writeSourceTree(source)
        let listed = try await agent.call("GET", "/api/v1/directory?path=" + source).decode(AgentAPI.Entries.self)
        #expect(listed.path == source)
        #expect(listed.entries.map(\.name) == ["docs", "a.txt"])
        #expect(listed.entries.map(\.kind) == ["directory", "file"])
        #expect(listed.entries.last?.size == 11)
        #expect(listed.entries.last?.path == source + "/a.txt")
        let relative = try await agent.call("GET", "/api/v1/directory?path=srv")
        #expect(relative.status == 400 && relative.errorField == "path")
        let missing = try await agent.call("GET", "/api/v1/directory?path=" + source + "/nothing")
        #expect(missing.status == 404, "\(missing.errorMessage)")
    }
}
