/// A real vault on loopback (VaultService + VaultAPI + HTTPServer), temporary folders, and agents on their own state
/// directories, for the service's tests.
import Agent
import Foundation
import HTTPServer
import Testing
import Vault
import VaultAPI
import VaultProtocol

/// A vault serving plain HTTP on 127.0.0.1, with one vault "Production".
final class TestVault: @unchecked Sendable {
    // @unchecked: every stored property is set once in init; the service and the server are thread-safe.
    let directory: String
    let service: VaultService
    let server: Server
    let address: String
    let vaultId: String

    init() throws {
        directory = makeTemporaryDirectory("vault")
        service = try VaultService(configuration: VaultConfiguration(dataDirectory: directory), clock: { Date() })
        let api = VaultAPI(service: service, maxAuthFailures: 1000)
        var serverConfiguration = Server.Configuration()
        serverConfiguration.maxBodySize = api.maxBodySize
        server = try Server(configuration: serverConfiguration) { await api.handle($0) }
        address = "http://127.0.0.1:\(server.port)"
        vaultId = try service.createVault(name: "Production").id
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A credentials file as the vault portal hands it out.
    func credentialsFile(uses: Int = 1) throws -> [UInt8] {
        let credentials = try service.issueCredentials(vault: vaultId, lifetimeSeconds: 3600, uses: uses, address: address,
                                                       certificateSHA256: "", publicKeySHA256: "")
        return Array(try JSONEncoder().encode(credentials))
    }

    func pin() throws -> String { try service.generatePIN(vault: vaultId).pin }
}

/// A fresh directory under the temporary folder.
func makeTemporaryDirectory(_ label: String) -> String {
    let base = NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory()
    var template = Array("\(base)/haven-agent-\(label)-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
}

/// An agent with its own state directory, its worker and scheduler running in a task.
final class TestAgent: @unchecked Sendable {
    // @unchecked: set once in init; AgentService is thread-safe.
    let state: String
    let service: AgentService
    private var task: Task<Void, Error>?

    init(state: String? = nil, hostname: String = "web-01", start: Bool = true) throws {
        self.state = state ?? makeTemporaryDirectory("state")
        var configuration = AgentConfiguration(stateDirectory: self.state)
        configuration.hostname = hostname
        configuration.workerThreads = 2
        configuration.retryAttempts = 2
        service = try AgentService(configuration: configuration, clock: { Date() })
        if start { self.start() }
    }

    func start() {
        let service = self.service
        task = Task { try await service.run() }
    }

    /// Cancels `run()` and waits until it returned (the worker thread ended).
    func stop() async {
        task?.cancel()
        _ = try? await task?.value
        task = nil
    }

    /// Waits until job `id` finished, at most `seconds`.
    func waitForJob(_ id: Int64, seconds: Double = 60) async throws -> JobRecord {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let job = try service.job(id)
            if job.state.isFinished { return job }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("job \(id) did not finish within \(seconds) s")
        return try service.job(id)
    }

    /// Waits until job `id` runs, at most `seconds`.
    func waitUntilRunning(_ id: Int64, seconds: Double = 30) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, try service.job(id).state == .queued { try await Task.sleep(for: .milliseconds(10)) }
    }

    /// Registers with `vault`, saves a goal protecting `paths` (with a PIN: a first policy needs one), and returns the info.
    @discardableResult
    func register(_ vault: TestVault, name: String = "web-01", passphrase: String = TestAgent.passphrase, takeOver: Bool = false,
                  paths: [String]? = nil) throws -> RegistrationInfo {
        let info = try service.register(credentials: try vault.credentialsFile(), machineName: name, passphrase: passphrase,
                                        takeOver: takeOver)
        if let paths {
            let schedule = try BackupSchedule(frequency: .daily, times: [TimeOfDay(hour: 3, minute: 0)!], timeZoneIdentifier: "UTC")
            try service.saveGoal(try BackupGoal(paths: paths, schedule: schedule), securityPIN: try vault.pin())
        }
        return info
    }

    /// Backs up now (points kept a day so the vault's daily retention keeps both of one day) and waits for the job.
    func backUp() async throws -> (JobRecord, JobReport) {
        let jobs = try service.backUpNow(retainUntil: Date().addingTimeInterval(86_400))
        #expect(jobs.count == 1)
        let job = try await waitForJob(jobs[0].id)
        #expect(job.state == .succeeded, "job failed: \(job.failureReason ?? "")")
        let report = try #require(try service.report(of: job.id))
        return (job, report)
    }

    static let passphrase = "correct horse battery staple"

    deinit {
        task?.cancel()
        try? FileManager.default.removeItem(atPath: state)
    }
}

/// A folder of files to protect.
struct SourceTree {
    let root: String

    init(_ files: [String: String]) throws {
        root = makeTemporaryDirectory("source")
        for (path, content) in files { try write(path, content) }
    }

    func write(_ path: String, _ content: String) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(content.utf8).write(to: URL(fileURLWithPath: full))
    }

    func writeRandom(_ path: String, bytes: Int) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        defer { try? random.close() }
        try random.readData(ofLength: bytes).write(to: URL(fileURLWithPath: full))
    }

    func read(_ path: String) -> Data? { FileManager.default.contents(atPath: root + "/" + path) }
}
