/// A vault on loopback for end-to-end tests: a real service in a temporary directory, the real HTTP server, a real client.
import Crypto
import Foundation
import HTTPClient
import HTTPServer
import Vault
import VaultAPI
import VaultProtocol

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    // @unchecked: `current` is only touched under `lock`.
    private let lock = NSLock()
    private var current: Date

    init(_ start: String = "2026-11-24T10:00:00Z") { current = VaultTime.parse(start)! }

    var now: Date { lock.withLock { current } }
    func advance(seconds: TimeInterval) { lock.withLock { current += seconds } }
}

/// One registered machine's identity, as an agent keeps it.
struct Machine {
    var id: String
    var secret: String
    var authorization: String { "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString() }
}

final class Harness: @unchecked Sendable {
    // @unchecked: every stored property is immutable after init.
    let directory: String
    let clock = TestClock()
    let service: VaultService
    let server: Server
    let base: String
    let client = Client()
    let vaultId: String

    /// Whether the data directory is a small tmpfs this harness mounted (and unmounts).
    let mounted: Bool

    /// - Parameter diskBytes: when set, the vault's data directory is a tmpfs of that size, so it can fill up.
    init(maxObjectSize: Int = 1 << 20, maxAuthFailures: Int = 10, diskBytes: Int? = nil) throws {
        var template = Array("\(NSTemporaryDirectory())/vault-api-test-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        if let diskBytes {
            guard mount("tmpfs", directory, "tmpfs", 0, "size=\(diskBytes),mode=0700") == 0 else {
                throw HarnessError("cannot mount a tmpfs at \(directory) (errno \(errno)); the test needs root")
            }
        }
        mounted = diskBytes != nil
        var configuration = VaultConfiguration(dataDirectory: directory)
        configuration.maxObjectSize = maxObjectSize
        let clock = self.clock
        service = try VaultService(configuration: configuration, clock: { clock.now })
        let api = VaultAPI(service: service, maxAuthFailures: maxAuthFailures)
        var serverConfiguration = Server.Configuration()
        serverConfiguration.maxBodySize = maxObjectSize + (1 << 20)
        server = try Server(configuration: serverConfiguration) { await api.handle($0) }
        base = "http://127.0.0.1:\(server.port)/api/v1"
        vaultId = try service.createVault(name: "Production").id
    }

    deinit {
        server.stop()
        if mounted { umount2(directory, Int32(MNT_DETACH)) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    func credentials(uses: Int = 1, hours: Int = 48) throws -> VaultCredentials {
        try service.issueCredentials(vault: vaultId, lifetimeSeconds: hours * 3600, uses: uses, address: base,
                                     certificateSHA256: "", publicKeySHA256: "")
    }

    func send(_ method: String, _ path: String, machine: Machine? = nil, headers: [(String, String)] = [],
              body: [UInt8] = []) async throws -> Client.Response {
        var request = Client.Request(method: method, url: base + path, body: body)
        if let machine { request.headers.append((name: "Authorization", value: machine.authorization)) }
        for (name, value) in headers { request.headers.append((name: name, value: value)) }
        return try await client.send(request)
    }

    func sendJSON<T: Encodable>(_ method: String, _ path: String, _ value: T, machine: Machine? = nil,
                                headers: [(String, String)] = []) async throws -> Client.Response {
        try await send(method, path, machine: machine, headers: headers + [("Content-Type", "application/json")],
                       body: Array(try JSONEncoder().encode(value)))
    }

    func register(_ name: String = "web-01", credentials: VaultCredentials? = nil, takeOver: Bool = false) async throws -> Machine {
        let credentials = try credentials ?? self.credentials()
        let response = try await sendJSON("POST", "/register",
                                          RegisterRequest(credentials: credentials, machineName: name, hostname: "\(name).example.com", takeOver: takeOver))
        guard response.status == 201 else { throw HarnessError("registration answered \(response.status): \(response.text)") }
        let body = try decode(RegisterResponse.self, response)
        return Machine(id: body.machineId, secret: body.secret)
    }

    func openLease(_ machine: Machine) async throws -> String {
        try decode(LeaseResponse.self, try await sendJSON("POST", "/machines/\(machine.id)/leases", LeaseRequest(seconds: 3600), machine: machine)).id
    }

    /// Uploads `bytes` as a content-addressed object and returns its name.
    @discardableResult
    func upload(_ bytes: [UInt8], kind: String = "data", machine: Machine, lease: String) async throws -> String {
        let name = Self.name(bytes)
        let response = try await send("PUT", "/machines/\(machine.id)/objects/\(kind)/\(name)", machine: machine,
                                      headers: [("Haven-Lease", lease)], body: bytes)
        guard response.status == 201 || response.status == 200 else { throw HarnessError("upload answered \(response.status): \(response.text)") }
        return name
    }

    static func name(_ bytes: [UInt8]) -> String { Hex.encode(SHA256.hash(bytes)) }

    func errorCode(_ response: Client.Response) -> String? {
        (try? JSONDecoder().decode(VaultErrorBody.self, from: Data(response.body)))?.error.code
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: Client.Response) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(response.body))
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
