/// Settings and the passphrase change through the API.
import AgentPortal
import FileIO
import Foundation
import Testing

@Suite("API settings", .serialized)
struct APISettingsTests {
    @Test("settings read back as stored, the SMTP password never leaves and is kept when left out; bad values answer 400")
    func settings() async throws {
        let agent = try APITestAgent()
        let initial = try await agent.call("GET", "/api/v1/settings").decode(AgentAPI.Settings.self)
        #expect(initial.cacheDirectory.hasPrefix(agent.state))
        #expect(initial.throttle == nil && initial.smtp == nil)

        var body: [String: Any] = [
            "cacheDirectory": agent.state + "/other-cache",
            "throttle": ["workBytesPerSecond": 1_000_000, "otherBytesPerSecond": 10_000_000, "workDays": ["monday", "tuesday"],
                         "workStart": "09:00", "workEnd": "18:00"],
            "webhookURL": "https://hooks.example.com/haven",
            "smtp": ["url": "smtps://mail.example.com:465", "from": "haven@example.com", "to": "ops@example.com", "username": "haven",
                     "password": "the smtp secret"],
        ]
        let saved = try await agent.call("PUT", "/api/v1/settings", object: body)
        #expect(saved.status == 200, "\(saved.errorMessage)")
        #expect(!String(decoding: saved.body, as: UTF8.self).contains("the smtp secret"))
        let read = try await agent.call("GET", "/api/v1/settings")
        #expect(!String(decoding: read.body, as: UTF8.self).contains("the smtp secret"))
        let settings = try read.decode(AgentAPI.Settings.self)
        #expect(settings.cacheDirectory == agent.state + "/other-cache")
        #expect(settings.throttle?.workDays == ["monday", "tuesday"])
        #expect(settings.throttle?.workStart == "09:00")
        #expect(settings.smtp?.hasPassword == true)
        #expect(settings.webhookURL == "https://hooks.example.com/haven")

        body["smtp"] = ["url": "smtps://mail.example.com:465", "from": "haven@example.com", "to": "ops@example.com", "username": "haven"]
        #expect(try await agent.call("PUT", "/api/v1/settings", object: body).status == 200)
        #expect(try await agent.call("GET", "/api/v1/settings").decode(AgentAPI.Settings.self).smtp?.hasPassword == true)

        let invalid: [(String, [String: Any])] = [
            ("cacheDirectory", ["cacheDirectory": "relative/cache"]),
            ("throttle", ["cacheDirectory": agent.state + "/cache", "throttle": ["workBytesPerSecond": 0, "otherBytesPerSecond": 1,
                                                                                 "workDays": ["monday"], "workStart": "09:00", "workEnd": "18:00"]]),
            ("throttle", ["cacheDirectory": agent.state + "/cache", "throttle": ["workBytesPerSecond": 1_000_000, "otherBytesPerSecond": 1_000_000,
                                                                                 "workDays": ["someday"], "workStart": "09:00", "workEnd": "18:00"]]),
            ("throttle", ["cacheDirectory": agent.state + "/cache", "throttle": ["workBytesPerSecond": 1_000_000, "otherBytesPerSecond": 1_000_000,
                                                                                 "workDays": ["monday"], "workStart": "9 am", "workEnd": "18:00"]]),
            ("cacheDirectory", ["proxy": "http://proxy:3128"]),
        ]
        for (field, body) in invalid {
            let answer = try await agent.call("PUT", "/api/v1/settings", object: body)
            #expect(answer.status == 400, "\(body): \(answer.status) \(answer.errorMessage)")
            #expect(answer.errorField == field, "\(body): \(answer.errorMessage)")
        }
        #expect(try await agent.call("GET", "/api/v1/settings").decode(AgentAPI.Settings.self) == settings, "refused settings change nothing")
    }

    @Test("changing the passphrase needs a PIN and the current passphrase")
    func passphrase() async throws {
        let vault = try APILoopbackVault()
        let agent = try APITestAgent()
        let source = try temporaryDirectory("agent-api-source")
        defer { try? FileIO.removeTree(source) }
        try await agent.registerAndProtect(vault, source: source, passphrase: "the current passphrase is long")
        let noPIN = try await agent.call("POST", "/api/v1/passphrase", object: ["current": "the current passphrase is long", "new": "a new passphrase, long enough"])
        #expect(noPIN.status == 403 && noPIN.errorCode == "pin_required")
        let wrong = try await agent.call("POST", "/api/v1/passphrase", object: [
            "current": "not the current passphrase", "new": "a new passphrase, long enough", "securityPIN": try vault.pin(),
        ])
        #expect(wrong.status == 403 && wrong.errorCode == "wrong_passphrase", "\(wrong.status) \(wrong.errorMessage)")
        let short = try await agent.call("POST", "/api/v1/passphrase", object: [
            "current": "the current passphrase is long", "new": "short", "securityPIN": try vault.pin(),
        ])
        #expect(short.status == 400, "\(short.status) \(short.errorMessage)")
        let changed = try await agent.call("POST", "/api/v1/passphrase", object: [
            "current": "the current passphrase is long", "new": "a new passphrase, long enough", "securityPIN": try vault.pin(),
        ])
        #expect(changed.status == 204, "\(changed.status) \(changed.errorMessage)")
    }
}
