/// A vault service on real SQLite in a temporary directory, with a clock the test moves.
import Crypto
import Foundation
import ObjectStore
import Vault
import VaultProtocol

final class TestClock: @unchecked Sendable {
    // @unchecked: `current` is only touched under `lock`.
    private let lock = NSLock()
    private var current = VaultTime.parse("2026-11-24T10:00:00Z")!
    var now: Date { lock.withLock { current } }
    func advance(seconds: TimeInterval) { lock.withLock { current += seconds } }
}

final class ServiceHarness {
    let directory: String
    let clock = TestClock()
    let service: VaultService
    let vault: VaultInfo

    init(gcMarginSeconds: Int = 3600) throws {
        var template = Array("\(NSTemporaryDirectory())/vault-test-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        var configuration = VaultConfiguration(dataDirectory: directory)
        configuration.gcMarginSeconds = gcMarginSeconds
        let clock = self.clock
        service = try VaultService(configuration: configuration, clock: { clock.now })
        vault = try service.createVault(name: "Production")
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func credentials(uses: Int = 1, seconds: Int? = nil) throws -> VaultCredentials {
        try service.issueCredentials(vault: vault.id, lifetimeSeconds: seconds, uses: uses, address: "https://vault:8443",
                                     certificateSHA256: "", publicKeySHA256: "")
    }

    func machine(_ name: String = "web-01") throws -> AuthenticatedMachine {
        let registered = try service.register(RegisterRequest(credentials: try credentials(), machineName: name, hostname: name))
        return try service.authenticate(machineId: registered.machineId, secret: registered.secret)
    }

    @discardableResult
    func put(_ bytes: [UInt8], _ kind: ObjectKind = .data, machine: AuthenticatedMachine, lease: String?) throws -> ObjectKey {
        let key = try ObjectKey(kind, Hex.encode(SHA256.hash(bytes)))
        try service.putObject(caller: machine, machine: machine.id, key: key, bytes: bytes, lease: lease)
        return key
    }

    func commit(_ point: ObjectKey, references: [ObjectKey], time: String, machine: AuthenticatedMachine, retainUntil: String? = nil) throws {
        try service.commitRecoveryPoint(caller: machine, CommitRecoveryPointRequest(
            object: point.name, item: BackupItemRef(kind: "files", name: "/srv"), time: time, size: 10, retainUntil: retainUntil,
            references: references.map(\.description)))
    }

    func code(_ body: () throws -> Void) -> VaultError.Code? {
        do { try body() } catch let error as VaultError { return error.code } catch { return .internalError }
        return nil
    }
}
