/// A real agent behind its real JSON API on loopback, registered (on demand) with a real vault on loopback: the
/// fixture every API test drives over HTTP.
import Agent
import AgentPortal
import FileIO
import Foundation
import HTTPClient
import HTTPServer
import Vault
import VaultAPI
import VaultProtocol

/// `haven vault serve` in-process: the vault service and its API behind the HTTP server, plain HTTP on loopback.
final class APILoopbackVault: @unchecked Sendable {
    // @unchecked: every stored property is set once in init; the service and server are thread-safe.
    let directory: String
    let service: VaultService
    let server: Server
    let address: String
    let vaultId: String

    init() throws {
        directory = try temporaryDirectory("agent-api-vault")
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
        try? FileIO.removeTree(directory)
    }

    /// A credentials file's JSON, as downloaded from the vault portal.
    func credentialsFile(uses: Int = 1) throws -> [UInt8] {
        let credentials = try service.issueCredentials(vault: vaultId, lifetimeSeconds: 3600, uses: uses, address: address,
                                                       certificateSHA256: "", publicKeySHA256: "")
        return Array(try JSONEncoder().encode(credentials))
    }

    func pin() throws -> String { try service.generatePIN(vault: vaultId).pin }
}

/// An agent with its API served on loopback, its daemon loops running.
final class APITestAgent: @unchecked Sendable {
    // @unchecked: every stored property is set once in init; service, server and client are thread-safe.
    let state: String
    let service: AgentService
    let tokens: APITokens
    let token: String
    let server: Server
    let address: String
    let client: Client
    private let loops: Task<Void, any Error>

    /// One answer: status, headers and the body as JSON.
    struct Answer {
        var status: Int
        var body: [UInt8]
        var headers: [(name: String, value: String)]

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var errorField: String? { (json["error"] as? [String: Any])?["field"] as? String }
        var errorMessage: String { (json["error"] as? [String: Any])?["message"] as? String ?? "" }
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(T.self, from: Data(body)) }
    }

    init(maxAuthFailures: Int = 10, clock: @escaping Clock = { Date() }) throws {
        state = try temporaryDirectory("agent-api-state")
        service = try AgentService(configuration: AgentConfiguration(stateDirectory: state), clock: { Date() })
        tokens = try APITokens(stateDirectory: state)
        token = String(decoding: try FileIO.readFile(state + "/" + APITokens.tokenFileName), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let api = AgentAPI(service: service, tokens: tokens, clock: clock, maxAuthFailures: maxAuthFailures)
        server = try Server(configuration: Server.Configuration()) { request in
            guard AgentAPI.handles(path: request.path) else { return Response.text("the portal\n", status: 404) }
            return await api.handle(request)
        }
        address = "http://127.0.0.1:\(server.port)"
        var configuration = Client.Configuration()
        configuration.proxy = .none
        client = Client(configuration: configuration)
        let service = self.service
        loops = Task.detached { try await service.run() }
    }

    deinit {
        loops.cancel()
        server.stop()
        try? FileIO.removeTree(state)
    }

    /// Sends a request with the agent's token (or `authorization` as the whole header, or none when it is "").
    func call(_ method: String, _ path: String, json body: String? = nil, authorization: String? = nil) async throws -> Answer {
        var headers: [(name: String, value: String)] = []
        let auth = authorization ?? "Bearer \(token)"
        if !auth.isEmpty { headers.append((name: "Authorization", value: auth)) }
        if body != nil { headers.append((name: "Content-Type", value: "application/json")) }
        let response = try await client.send(Client.Request(method: method, url: address + path, headers: headers, body: Array((body ?? "").utf8)))
        return Answer(status: response.status, body: response.body, headers: response.headers)
    }

    func call(_ method: String, _ path: String, object: [String: Any]) async throws -> Answer {
        try await call(method, path, json: String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
    }

    /// Registers with `vault` through the API and saves a goal protecting `source` (daily at 03:00), with a PIN.
    func registerAndProtect(_ vault: APILoopbackVault, source: String, name: String = "web-01",
                            passphrase: String = "a passphrase of at least sixteen") async throws {
        let credentials = try JSONSerialization.jsonObject(with: Data(try vault.credentialsFile()))
        let registered = try await call("POST", "/api/v1/registration", object: [
            "credentials": credentials, "machineName": name, "passphrase": passphrase,
        ])
        guard registered.status == 201 else { throw FixtureFailure("register: \(registered.status) \(registered.errorMessage)") }
        let saved = try await call("PUT", "/api/v1/goal", object: Self.goal(paths: [source], pin: try vault.pin()))
        guard saved.status == 200 else { throw FixtureFailure("goal: \(saved.status) \(saved.errorMessage)") }
    }

    static func goal(paths: [String], pin: String? = nil, retention: [String: Int] = ["daily": 30, "weekly": 8, "monthly": 12, "yearly": 2])
        -> [String: Any] {
        var goal: [String: Any] = [
            "paths": paths, "schedule": ["frequency": "daily", "times": ["03:00"], "timeZone": "UTC"], "retention": retention,
        ]
        if let pin { goal["securityPIN"] = pin }
        return goal
    }

    /// Polls a job until it has finished (at most `seconds`), returning its last detail.
    func waitForJob(_ id: Int64, seconds: Double = 60) async throws -> AgentAPI.JobDetail {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let detail = try await call("GET", "/api/v1/jobs/\(id)").decode(AgentAPI.JobDetail.self)
            if detail.job.isFinished || Date() > deadline { return detail }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

struct FixtureFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func temporaryDirectory(_ prefix: String) throws -> String {
    var base = NSTemporaryDirectory()
    while base.hasSuffix("/") { base.removeLast() }
    var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw FixtureFailure("mkdtemp failed")
    }
    return String(decoding: UnsafeRawBufferPointer(start: made, count: strlen(made)), as: UTF8.self)
}

/// Writes small files of known content under `root`.
func writeSourceTree(_ root: String) throws {
    for (path, text) in [("a.txt", "first file\n"), ("docs/b.conf", "key = value\n"), ("docs/deep/c.txt", String(repeating: "haven ", count: 5000))] {
        try FileIO.makeDirectories(FileIO.parentDirectory(of: root + "/" + path))
        try FileIO.writeFileAtomically(root + "/" + path, Array(text.utf8), durable: false)
    }
}
