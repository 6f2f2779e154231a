import FileIO
import Foundation
import Glibc
import Testing
import VaultClient
import VaultProtocol

@Suite("Registration: credentials files, POST /register, the saved machine credential")
struct RegistrationTests {
    final class Scratch {
        let path = NSTemporaryDirectory() + "vault-registration-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        init() throws { try FileIO.makeDirectories(path) }
        deinit { try? FileIO.removeTree(path) }
    }

    static func write(_ credentials: VaultCredentials, to path: String) throws {
        try FileIO.writeFileAtomically(path, Array(try JSONEncoder().encode(credentials)))
    }

    @Test("a credentials file is read and checked: unreadable, not credentials, and expired files get clear messages")
    func readsAndChecksCredentialsFiles() throws {
        let vault = try LoopbackVault()
        let scratch = try Scratch()
        let file = scratch.path + "/Production_2026-11-24.VaultCredentials"
        let credentials = try vault.credentials(hours: 1)
        try Self.write(credentials, to: file)
        #expect(try VaultRegistration.readCredentials(at: file, now: vault.now) == credentials)

        let missing = #expect(throws: VaultClientError.self) { try VaultRegistration.readCredentials(at: scratch.path + "/nope", now: vault.now) }
        #expect(missing?.code == .credentialsUnreadable)
        #expect(missing?.message.contains("cannot read the vault credentials file") == true)

        try FileIO.writeFileAtomically(scratch.path + "/other", Array(#"{"format": "something/1"}"#.utf8))
        let foreign = #expect(throws: VaultClientError.self) { try VaultRegistration.readCredentials(at: scratch.path + "/other", now: vault.now) }
        #expect(foreign?.code == .notCredentials)
        #expect(foreign?.message.contains("is not a vault credentials file") == true)

        let expires = try #require(ISO8601DateFormatter().date(from: credentials.expiresAt))
        let late = Int(expires.timeIntervalSince1970) + 1
        let expired = #expect(throws: VaultClientError.self) { try VaultRegistration.readCredentials(at: file, now: late) }
        #expect(expired?.code == .credentialsExpired)
        let day = String(credentials.expiresAt.prefix(10)), time = String(credentials.expiresAt.dropFirst(11).prefix(5))
        #expect(expired?.message == "the vault credentials expired on \(day) \(time) UTC; download a new file from the vault portal")
    }

    @Test("registering saves a credential (mode 0600) that loads back and authenticates; the file cannot be used twice")
    func registersAndSaves() throws {
        let vault = try LoopbackVault()
        let scratch = try Scratch()
        let credentials = try vault.credentials()
        let registration = VaultRegistration(settings: LoopbackVault.settings)
        let credential = try registration.register(credentials, machineName: "web-01", hostname: "web-01.example.com", now: vault.now)
        #expect(credential.vaultId == vault.vaultId)
        #expect(credential.machineId.count == 32)

        let state = scratch.path + "/state/agent"
        try credential.save(inStateDirectory: state)
        var status = stat()
        #expect(stat(MachineCredential.path(inStateDirectory: state), &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        let loaded = try MachineCredential.load(fromStateDirectory: state)
        #expect(loaded == credential)
        #expect(try vault.session(loaded).machines().map(\.name) == ["web-01"])

        let reused = #expect(throws: VaultClientError.self) {
            try registration.register(credentials, machineName: "web-02", hostname: "web-02", now: vault.now)
        }
        #expect(reused?.code == .refused)
        #expect(reused?.vaultCode == "credentials_used_up")

        let notRegistered = #expect(throws: VaultClientError.self) { try MachineCredential.load(fromStateDirectory: scratch.path) }
        #expect(notRegistered?.code == .notRegistered)
        #expect(notRegistered?.message.contains("haven agent register") == true)
    }

    @Test("a taken name is refused with advice; --take-over keeps the machine id and retires the old secret")
    func takeOver() throws {
        let vault = try LoopbackVault()
        let first = try vault.register("web-01")
        let refused = #expect(throws: VaultClientError.self) { try vault.register("web-01") }
        #expect(refused?.vaultCode == "machine_exists")
        #expect(refused?.message.contains("--take-over") == true)
        let second = try vault.register("web-01", takeOver: true)
        #expect(second.machineId == first.machineId)
        #expect(second.secret != first.secret)
        #expect(throws: VaultClientError.self) { try vault.session(first).machines() }
        #expect(try vault.session(second).machines().count == 1)
    }

    @Test("machine names outside 1 to 64 letters, digits, dot, dash and underscore are refused before anything is sent")
    func machineNames() throws {
        let vault = try LoopbackVault()
        for name in ["", "web 01", "web/01", String(repeating: "a", count: 65), "wéb"] {
            let error = #expect(throws: VaultClientError.self) {
                try VaultRegistration(settings: LoopbackVault.settings).register(try vault.credentials(), machineName: name, hostname: "h", now: vault.now)
            }
            #expect(error?.code == .invalidArgument)
        }
        #expect(vault.recorder.entries.isEmpty)
        #expect(VaultRegistration.isValidMachineName("web-01.example_2"))
    }
}
