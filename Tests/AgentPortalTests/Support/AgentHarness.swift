/// A real vault (service + machine API) and a real agent (service + worker + portal), each on the HTTP server on loopback.
import Agent
import AgentPortal
import Foundation
import HTTPServer
import PortalTesting
import Vault
import VaultAPI
import VaultProtocol
import Web

/// Real time plus an offset tests can move (to expire credentials). `@unchecked Sendable`: `offset` only under `lock`.
final class ShiftedClock: @unchecked Sendable {
    private let lock = NSLock()
    private var offset: TimeInterval = 0

    var now: Date { lock.withLock { Date().addingTimeInterval(offset) } }
    func advance(hours: Double) { lock.withLock { offset += hours * 3600 } }
}

/// One vault and one agent per test. `@unchecked Sendable`: stored properties are set once in `init`; the services,
/// servers and the worker task are thread-safe.
final class AgentHarness: @unchecked Sendable {
    static let password = "correct horse battery"
    static let passphrase = "a passphrase of more than sixteen characters"

    let directory: String
    let vaultClock = ShiftedClock()
    let vault: VaultService
    let vaultServer: Server
    let vaultAddress: String
    let vaultId: String
    let agent: AgentService
    let portal: AgentPortal
    let server: Server
    let base: String
    let setupToken: String
    private let worker: Task<Void, Never>

    init() throws {
        directory = NSTemporaryDirectory() + "agent-portal-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        let vaultClock = self.vaultClock
        vault = try VaultService(configuration: VaultConfiguration(dataDirectory: directory + "/vault"), clock: { vaultClock.now })
        let api = VaultAPI(service: vault, maxAuthFailures: 1000)
        var vaultConfiguration = Server.Configuration()
        vaultConfiguration.maxBodySize = api.maxBodySize
        vaultServer = try Server(configuration: vaultConfiguration) { await api.handle($0) }
        vaultAddress = "http://127.0.0.1:\(vaultServer.port)"
        vaultId = try vault.createVault(name: "Production").id

        var configuration = AgentConfiguration(stateDirectory: directory + "/agent")
        configuration.hostname = "web-01"
        configuration.retryAttempts = 1
        configuration.schedulerInterval = .seconds(3600)
        agent = try AgentService(configuration: configuration, clock: { Date() })
        portal = try AgentPortal(service: agent, resources: Resources(root: checkout), hasher: PasswordHasher(logN: 4, r: 1, p: 1),
                                 clock: { Date() })
        setupToken = try portal.prepareSetup() ?? ""
        let frontDoor = AgentFrontDoor(portal: portal, api: AgentAPI(service: agent, tokens: try APITokens(stateDirectory: directory + "/agent")))
        var serverConfiguration = Server.Configuration()
        serverConfiguration.maxBodySize = 16 << 20
        server = try Server(configuration: serverConfiguration) { await frontDoor.handle($0) }
        base = "http://127.0.0.1:\(server.port)"
        let agent = self.agent
        worker = Task { try? await agent.run() }
    }

    deinit {
        worker.cancel()
        server.stop()
        vaultServer.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops the agent's worker and waits for it, so no job outlives the test's folders.
    func stop() async {
        worker.cancel()
        await worker.value
    }

    /// A credentials file for the vault, as the vault portal's Download vault credentials button makes it.
    func credentialsFile(hours: Int = 24) throws -> [UInt8] {
        let credentials = try vault.issueCredentials(vault: vaultId, lifetimeSeconds: hours * 3600, address: vaultAddress,
                                                     certificateSHA256: "", publicKeySHA256: "")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(credentials))
    }

    /// A browser that has set the administrator password (first call) or signed in (later calls).
    func signedIn() async throws -> Browser {
        try await Browser.signedIn(base: base, passwordIsSet: try portal.app.account.hasPassword(), setupToken: setupToken,
                                   password: Self.password)
    }

    /// Registers the agent through the Register server page with a fresh credentials file.
    func register(_ browser: Browser, name: String = "web-01") async throws {
        let response = try await browser.upload("/register", from: "/register", [
            ("machineName", name), ("passphraseMode", "type"), ("passphrase", Self.passphrase), ("confirm", Self.passphrase),
        ], file: ("credentials", "Production.VaultCredentials", try credentialsFile()))
        guard response.status == 303 else { throw HarnessError("registration answered \(response.status): \(response.text)") }
    }

    /// A folder of files to protect, under the harness's directory.
    func makeSource(_ name: String, files: [String: String]) throws -> String {
        let root = directory + "/data/" + name
        for (path, content) in files {
            let full = root + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(content.utf8).write(to: URL(fileURLWithPath: full))
        }
        return root
    }

    /// Saves a daily goal protecting `paths` through the Schedule page, with a security PIN from the vault when asked.
    func saveGoal(_ browser: Browser, paths: [String]) async throws {
        let fields = paths.map { ("path", $0) } + [("frequency", "daily"), ("time1", "21:00"), ("timeZone", "UTC"),
            ("keepDaily", "30"), ("keepWeekly", "4"), ("keepMonthly", "12"), ("keepYearly", "1"), ("initial", "online"), ("action", "save")]
        var response = try await browser.submit("/schedule", from: "/schedule", fields)
        if response.status == 422, response.text.contains("name=\"pin\"") {
            let pin = try vault.generatePIN(vault: vaultId).pin
            response = try await browser.submit("/schedule", from: "/schedule", fields + [("pin", pin)])
        }
        guard response.status == 303 else { throw HarnessError("saving the goal answered \(response.status): \(response.text)") }
    }

    /// Polls the job's progress fragment until it is final; returns the last fragment.
    func waitForJob(_ browser: Browser, _ id: String, seconds: Double = 60) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let fragment = try await browser.get("/jobs/\(id)/progress").text
            if fragment.contains("data-refresh-final") { return fragment }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("job \(id) did not finish within \(seconds) s")
    }
}
