/// Registration's edges: refused inputs, changing the passphrase with a PIN, unregistering (both notified as critical
/// operations), and the machine's own folders for the source picker.
import Agent
import Foundation
import HTTPServer
import Synchronization
import Testing

@Suite("Agent registration", .serialized)
struct AgentRegistrationTests {
    @Test("registration refuses a short passphrase, a bad name and a file that is not vault credentials, naming the field")
    func refusals() throws {
        let vault = try TestVault()
        let agent = try TestAgent(start: false)
        func field(_ body: () throws -> Void) -> String? {
            do { try body() } catch let error as AgentError { return error.field } catch { return "?" }
            return nil
        }
        #expect(field { _ = try agent.service.register(credentials: try vault.credentialsFile(), machineName: "web-01", passphrase: "short", takeOver: false) } == "passphrase")
        #expect(field { _ = try agent.service.register(credentials: try vault.credentialsFile(), machineName: "web 01", passphrase: TestAgent.passphrase, takeOver: false) } == "machineName")
        #expect(field { _ = try agent.service.register(credentials: Array("{}".utf8), machineName: "web-01", passphrase: TestAgent.passphrase, takeOver: false) } == "credentials")
        #expect(agent.service.registration() == nil)
        #expect(AgentService.generatePassphrase().count >= 32 && AgentService.generatePassphrase() != AgentService.generatePassphrase())
        try agent.register(vault)
        let again = #expect(throws: AgentError.self) {
            _ = try agent.service.register(credentials: try vault.credentialsFile(), machineName: "web-01", passphrase: TestAgent.passphrase, takeOver: false)
        }
        #expect(again?.code == .alreadyRegistered)
    }

    @Test("changing the passphrase needs the current one and a PIN; it and unregistering are posted as critical operations")
    func criticalOperations() async throws {
        let posted = Mutex<[String]>([])
        let hook = try Server(configuration: Server.Configuration()) { request in
            if let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any], let event = object["event"] as? String {
                posted.withLock { $0.append(event + ": " + (object["message"] as? String ?? "")) }
            }
            return Response(status: 204)
        }
        defer { hook.stop() }
        let vault = try TestVault()
        let agent = try TestAgent(start: false)
        try agent.register(vault)
        var settings = try agent.service.settings()
        settings.webhookURL = "http://127.0.0.1:\(hook.port)/"
        try agent.service.saveSettings(settings)

        let wrong = #expect(throws: AgentError.self) {
            try agent.service.changePassphrase(current: "not the passphrase, sixteen", new: "a brand new passphrase", securityPIN: try vault.pin())
        }
        #expect(wrong?.code == .wrongPassphrase && wrong?.field == "current")
        let noPIN = #expect(throws: AgentError.self) {
            try agent.service.changePassphrase(current: TestAgent.passphrase, new: "a brand new passphrase", securityPIN: "")
        }
        #expect(noPIN?.code == .needsPIN)
        try agent.service.changePassphrase(current: TestAgent.passphrase, new: "a brand new passphrase", securityPIN: try vault.pin())

        // The new passphrase opens the data (take over with it), the old one no longer does.
        let rebuilt = try TestAgent(start: false)
        #expect(throws: AgentError.self) { try rebuilt.register(vault, takeOver: true) }
        try rebuilt.register(vault, passphrase: "a brand new passphrase", takeOver: true)

        try rebuilt.service.saveSettings(settings)
        try rebuilt.service.unregister()
        #expect(rebuilt.service.registration() == nil)
        #expect(try vault.service.machines(vault: vault.vaultId).first?.state == .unregistered)
        let after = #expect(throws: AgentError.self) { _ = try rebuilt.service.backUpNow(retainUntil: nil) }
        #expect(after?.code == .notRegistered)

        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, posted.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(20)) }
        let events = posted.withLock { $0 }
        #expect(events.contains { $0.hasPrefix("critical: ") && $0.contains("passphrase") }, "\(events)")
        #expect(events.contains { $0.hasPrefix("critical: ") && $0.contains("unregistered") }, "\(events)")
    }

    @Test("the source picker lists a folder of this machine, folders first, and refuses relative paths")
    func listDirectory() throws {
        let agent = try TestAgent(start: false)
        let source = try SourceTree(["b.txt": "bb", "a/inner.txt": "x"])
        let entries = try agent.service.listDirectory(source.root)
        #expect(entries.map(\.name) == ["a", "b.txt"] && entries[0].kind == "directory" && entries[1].size == 2)
        #expect(entries[1].path == source.root + "/b.txt")
        #expect(throws: AgentError.self) { try agent.service.listDirectory("relative") }
        #expect(try agent.service.volumes().contains { $0.mountPoint == "/" || $0.size > 0 })
    }
}
