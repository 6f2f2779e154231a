/// A vault on loopback for the client's tests: the real service and API behind the real HTTP server (HTTPS when
/// asked), with a recorder in front that counts requests and body bytes and can fail the next requests.
import Crypto
import Foundation
import HTTPServer
import Synchronization
import Vault
import VaultAPI
import VaultClient
import VaultProtocol

/// A clock tests move by hand, in seconds.
final class ManualClock: Sendable {
    private let seconds: Mutex<Double>

    init(_ start: Double) { seconds = Mutex(start) }

    var now: Double { seconds.withLock { $0 } }
    var date: Date { Date(timeIntervalSince1970: now) }
    func advance(_ delta: Double) { seconds.withLock { $0 += delta } }
}

/// What reached the server, and the failures to answer with instead of the API.
final class Recorder: Sendable {
    struct Entry: Sendable {
        var method: String
        var path: String
        var bodyBytes: Int
        var status: Int
    }

    private struct State {
        var entries: [Entry] = []
        var failures: [Int] = []
        var dataPutDelay: UInt32 = 0
        var dataPutsInFlight = 0
        var mostDataPutsInFlight = 0
    }

    private let state = Mutex(State())

    var entries: [Entry] { state.withLock { $0.entries } }
    func reset() { state.withLock { $0.entries = [] } }
    /// The next `count` requests are answered with `status` before the API sees them.
    func fail(next count: Int, status: Int) { state.withLock { $0.failures += Array(repeating: status, count: count) } }

    func takeFailure() -> Int? { state.withLock { $0.failures.isEmpty ? nil : $0.failures.removeFirst() } }
    func record(_ request: Request, status: Int) {
        state.withLock { $0.entries.append(Entry(method: request.method, path: request.path, bodyBytes: request.body.count, status: status)) }
    }

    /// The most uploads of packs the server was handling at one moment.
    var mostDataPutsInFlight: Int { state.withLock { $0.mostDataPutsInFlight } }

    /// Makes every pack upload take at least this long, as over a slow link.
    func delayDataPuts(microseconds: UInt32) { state.withLock { $0.dataPutDelay = microseconds } }

    func started(_ request: Request) {
        guard request.method == "PUT", request.path.contains("/objects/data/") else { return }
        let delay = state.withLock {
            $0.dataPutsInFlight += 1
            $0.mostDataPutsInFlight = max($0.mostDataPutsInFlight, $0.dataPutsInFlight)
            return $0.dataPutDelay
        }
        if delay > 0 { usleep(delay) }
    }

    func finished(_ request: Request) {
        guard request.method == "PUT", request.path.contains("/objects/data/") else { return }
        state.withLock { $0.dataPutsInFlight -= 1 }
    }

    func count(_ method: String, containing fragment: String = "") -> Int {
        entries.filter { $0.method == method && (fragment.isEmpty || $0.path.contains(fragment)) }.count
    }
}

final class LoopbackVault: @unchecked Sendable {
    // @unchecked: every stored property is set once in init; the service, server and recorder are thread-safe.
    let directory: String
    let clock = ManualClock(Date().timeIntervalSince1970.rounded(.down))
    let service: VaultService
    let server: Server
    let recorder = Recorder()
    let address: String
    let vaultId: String
    let pins: CertificatePins?

    /// Retries without waiting, so a test of five retries takes no time.
    static let settings = VaultConnection.Settings(retry: RetryPolicy(attempts: 4, initialDelay: 0.001, maximumDelay: 0.01))

    init(https: Bool = false, maxObjectSize: Int = 24 << 20) throws {
        var template = Array("\(NSTemporaryDirectory())/vault-client-test-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        var configuration = VaultConfiguration(dataDirectory: directory)
        configuration.maxObjectSize = maxObjectSize
        let clock = self.clock
        service = try VaultService(configuration: configuration, clock: { clock.date })
        let api = VaultAPI(service: service, maxAuthFailures: 1000)
        var serverConfiguration = Server.Configuration()
        serverConfiguration.maxBodySize = maxObjectSize + (1 << 20)
        if https {
            let certificate = try SelfSignedCertificate.generate(commonName: "haven-vault", subjectAltNames: ["127.0.0.1"], validDays: 1)
            serverConfiguration.tls = .init(certificatePEM: certificate.certificatePEM, privateKeyPEM: certificate.privateKeyPEM)
            pins = try CertificatePins(certificatePEM: certificate.certificatePEM)
        } else {
            pins = nil
        }
        let recorder = self.recorder
        server = try Server(configuration: serverConfiguration) { request in
            if let status = recorder.takeFailure() {
                recorder.record(request, status: status)
                return Response(status: status, headers: ["Content-Type": "application/json"],
                                body: Array(#"{"error":{"code":"injected","message":"an injected failure"}}"#.utf8))
            }
            recorder.started(request)
            let response = await api.handle(request)
            recorder.finished(request)
            recorder.record(request, status: response.status)
            return response
        }
        address = "\(https ? "https" : "http")://127.0.0.1:\(server.port)"
        vaultId = try service.createVault(name: "Production").id
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var now: Int { Int(clock.now) }

    func credentials(uses: Int = 1, hours: Int = 48) throws -> VaultCredentials {
        try service.issueCredentials(vault: vaultId, lifetimeSeconds: hours * 3600, uses: uses, address: address,
                                     certificateSHA256: pins?.certificateSHA256 ?? "", publicKeySHA256: pins?.publicKeySHA256 ?? "")
    }

    /// Registers a machine through the client, as `haven agent register` does.
    func register(_ name: String, takeOver: Bool = false) throws -> MachineCredential {
        try VaultRegistration(settings: Self.settings).register(try credentials(), machineName: name, hostname: name + ".example.com",
                                                                takeOver: takeOver, now: now)
    }

    func session(_ credential: MachineCredential, settings: VaultConnection.Settings = LoopbackVault.settings) -> VaultSession {
        VaultSession(credential: credential, settings: settings)
    }

    /// A fresh machine's own store.
    func store(_ name: String, options: VaultObjectStore.Options = VaultObjectStore.Options()) throws -> VaultObjectStore {
        session(try register(name)).objectStore(options: options)
    }

    static let hasher: @Sendable ([UInt8]) -> String = { Hex.encode(SHA256.hash($0)) }
}
