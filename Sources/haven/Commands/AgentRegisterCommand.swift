import ArgumentParser
import FileIO
import Foundation
import Glibc
import ObjectStore
import Repository
import VaultClient

/// `haven agent register`: registers this machine with a vault credentials file, saves the machine credential,
/// and creates the machine's repository in the vault (or, taking over a machine that has one, proves the passphrase).
struct AgentRegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register", abstract: "Register this machine with a vault and create its repository there.")

    @Option(name: .long, help: "The vault credentials file downloaded from the vault portal.")
    var credentials: String

    @Option(name: .long, help: "A file holding the encryption passphrase (at least 16 characters). Keep it safe: only it unlocks the data.")
    var passphraseFile: String

    @Option(name: .long, help: "The agent's state directory (or set HAVEN_AGENT_STATE; default /var/lib/haven/agent).")
    var state: String?

    @Option(name: .long, help: "The machine's name in the vault (default: the host name's first label).")
    var name: String?

    @Flag(name: .long, help: "Take over the registered machine of that name (a rebuilt server): same id, same data, a new secret.")
    var takeOver = false

    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false

    func validate() throws {
        if let name, !VaultRegistration.isValidMachineName(name) {
            throw ValidationError("--name must be 1 to 64 letters, digits, \".\", \"-\" and \"_\"")
        }
    }

    func run() throws {
        try runCommand {
            let state = AgentCommand.stateDirectory(self.state)
            let passphrase = try readPassphrase()
            let now = Int(time(nil))
            let file = try vaultCall { () throws(VaultClientError) in try VaultRegistration.readCredentials(at: credentials, now: now) }
            if !takeOver, let existing = try? MachineCredential.load(fromStateDirectory: state) {
                throw CommandFailure("this machine is already registered as \(existing.machineName) with vault \(existing.vaultName) "
                    + "(\(MachineCredential.path(inStateDirectory: state))); pass --take-over to register it again")
            }
            let identity = SystemClock.identity()
            let machineName = name ?? Self.defaultName(hostname: identity.hostname)
            let credential = try vaultCall { () throws(VaultClientError) in
                try VaultRegistration(settings: GlobalOptions.vaultSettings).register(
                    file, machineName: machineName, hostname: identity.hostname, takeOver: takeOver, now: now)
            }
            // Saved before anything else can fail: the vault shows the secret only once.
            try vaultCall { () throws(VaultClientError) in try credential.save(inStateDirectory: state) }
            let repository = try prepareRepository(credential, passphrase: passphrase, identity: identity)
            report(credential, state: state, repository: repository)
        }
    }

    /// Creates the repository, or opens the existing one (a taken-over machine) to prove the passphrase opens it.
    private func prepareRepository(_ credential: MachineCredential, passphrase: [UInt8], identity: WriterIdentity) throws -> String {
        let store = VaultSession(credential: credential, settings: GlobalOptions.vaultSettings).objectStore()
        defer { try? store.close() }
        let slots: [ObjectInfo]
        do { slots = try store.list(.keys) } catch { throw CommandFailure("could not look for a repository in the vault: \(error)") }
        if slots.isEmpty {
            _ = try CommandFailure.mapping { try Repository.create(store: store, passphrase: passphrase, identity: identity) }
            return "created"
        }
        do {
            _ = try CommandFailure.mapping { try Repository.open(store: store, passphrase: passphrase, loadIndex: false) }
        } catch let failure as CommandFailure where failure.exitCode == .wrongPassphrase {
            throw CommandFailure("the machine is registered, but the passphrase does not open the repository \(credential.machineName) "
                + "already has in the vault: use the passphrase that machine was registered with", exitCode: .wrongPassphrase)
        }
        return "opened"
    }

    private func readPassphrase() throws -> [UInt8] {
        var bytes: [UInt8]
        do { bytes = try FileIO.readFile(passphraseFile) } catch {
            throw CommandFailure("cannot read the passphrase file: \(error)")
        }
        while bytes.last == UInt8(ascii: "\n") || bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard bytes.count >= 16 else {
            throw CommandFailure("the passphrase in \(passphraseFile) has \(bytes.count) characters; use at least 16")
        }
        return bytes
    }

    /// The host name's first label with every character a machine name cannot hold replaced by "-".
    static func defaultName(hostname: String) -> String {
        let label = hostname.split(separator: ".").first.map(String.init) ?? ""
        let cleaned = String(label.unicodeScalars.prefix(64).map { scalar -> Character in
            VaultRegistration.isValidMachineName(String(scalar)) ? Character(scalar) : "-"
        })
        return cleaned.isEmpty ? "machine" : cleaned
    }

    private func report(_ credential: MachineCredential, state: String, repository: String) {
        if json {
            Output.json(["machineId": credential.machineId, "machineName": credential.machineName, "vaultId": credential.vaultId,
                         "vaultName": credential.vaultName, "state": state, "repository": repository])
            return
        }
        Output.line("registered \(credential.machineName) (\(credential.machineId)) with vault \(credential.vaultName)")
        Output.line("machine credential saved in \(MachineCredential.path(inStateDirectory: state))")
        Output.line(repository == "created"
            ? "created this machine's repository in the vault; keep the passphrase safe: without it the data cannot be read, by anyone"
            : "the passphrase opens this machine's repository in the vault")
        Output.line("back up with: haven backup --vault \(state) PATH...")
    }
}
