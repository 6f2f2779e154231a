/// A vault portal on the real HTTP server on loopback over a real vault service in a temporary folder.
import Crypto
import Foundation
import HTTPServer
import ObjectStore
import PortalTesting
import Vault
import VaultPortal
import VaultProtocol
import Web

/// A clock tests move by hand. `@unchecked Sendable`: `current` is only touched under `lock`.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = VaultTime.parse("2026-11-24T10:00:00Z")!

    var now: Date { lock.withLock { current } }
    func advance(hours: Double) { lock.withLock { current += hours * 3600 } }
}

/// One running portal per test. `@unchecked Sendable`: every stored property is immutable after `init`.
final class PortalHarness: @unchecked Sendable {
    static let password = "correct horse battery"
    static let identity = VaultPortal.Identity(address: "https://vault.example.com:8443", certificateSHA256: String(repeating: "ab", count: 32),
                                               publicKeySHA256: "c2VjcmV0LXBpbi1mb3ItdGVzdHMtb25seS0xMjM0NTY=")

    let directory: String
    let clock = TestClock()
    let service: VaultService
    let portal: VaultPortal
    let server: Server
    let base: String
    let setupToken: String

    init() throws {
        directory = NSTemporaryDirectory() + "vault-portal-tests-" + UUID().uuidString
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        let clock = self.clock
        service = try VaultService(configuration: VaultConfiguration(dataDirectory: directory), clock: { clock.now })
        portal = try VaultPortal(service: service, identity: Self.identity, resources: Resources(root: checkout),
                                 hasher: PasswordHasher(logN: 4, r: 1, p: 1))
        setupToken = try portal.prepareSetup() ?? ""
        server = try Server(configuration: Server.Configuration(), handler: portal.handler)
        base = "http://127.0.0.1:\(server.port)"
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A browser that has set the administrator password (first call) or signed in (later calls).
    func signedIn() async throws -> Browser {
        try await Browser.signedIn(base: base, passwordIsSet: try portal.app.account.hasPassword(), setupToken: setupToken,
                                   password: Self.password)
    }

    /// Registers a machine in `vault` with fresh credentials, as an agent would.
    func register(_ name: String, vault: String) throws -> AuthenticatedMachine {
        let credentials = try service.issueCredentials(vault: vault, address: Self.identity.address, certificateSHA256: "",
                                                       publicKeySHA256: "", actor: "cli")
        let response = try service.register(RegisterRequest(credentials: credentials, machineName: name, hostname: "\(name).example.com"))
        return try service.authenticate(machineId: response.machineId, secret: response.secret)
    }

    /// Uploads a pack and a point object for `machine` and commits the point; returns the point's id.
    @discardableResult
    func backUp(_ machine: AuthenticatedMachine, item: String = "/srv", at time: String, size: Int64) throws -> String {
        let lease = try service.openLease(machine: machine.id, seconds: 600)
        let pack = Array("pack \(time)".utf8), point = Array("point \(time)".utf8)
        let packKey = try ObjectKey(.data, Hex.encode(SHA256.hash(pack)))
        let pointKey = try ObjectKey(.recoveryPoints, Hex.encode(SHA256.hash(point)))
        try service.putObject(caller: machine, machine: machine.id, key: packKey, bytes: pack, lease: lease.id)
        try service.putObject(caller: machine, machine: machine.id, key: pointKey, bytes: point, lease: lease.id)
        try service.commitRecoveryPoint(caller: machine, CommitRecoveryPointRequest(
            object: pointKey.name, item: BackupItemRef(kind: "files", name: item), time: time, size: size,
            references: [packKey.description]))
        return pointKey.name
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
