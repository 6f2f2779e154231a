/// Registration: joining a vault with a credentials file and a passphrase, taking over a rebuilt machine (which
/// rebuilds the catalog from the vault), leaving it, and changing the passphrase.
import Crypto
import Foundation
import ObjectStore
import Repository
import VaultClient
import VaultProtocol

extension AgentService {
    /// The shortest passphrase accepted, as MARS asks.
    public static let minimumPassphraseLength = 16

    /// This machine's registration, nil when it has none.
    public func registration() -> RegistrationInfo? {
        guard let credential = try? state.credential() else { return nil }
        return RegistrationInfo(
            vaultId: credential.vaultId, vaultName: credential.vaultName, vaultAddress: credential.address,
            machineId: credential.machineId, machineName: credential.machineName,
            registeredAt: Timestamp.parse(credential.registeredAt) ?? Date(timeIntervalSince1970: 0))
    }

    /// Registers this machine with the vault the credentials file names, then creates its repository there, or opens
    /// the one it has (a taken-over machine) with `passphrase` and rebuilds the catalog from the vault's listings.
    ///
    /// The passphrase is used only here; what the agent keeps is the repository's master key (mode 0600), so
    /// scheduled backups run unattended.
    public func register(credentials: [UInt8], machineName: String, passphrase: String, takeOver: Bool) throws -> RegistrationInfo {
        guard passphrase.count >= Self.minimumPassphraseLength else {
            throw AgentError(.invalidInput, field: "passphrase",
                             "the passphrase has \(passphrase.count) characters; use at least \(Self.minimumPassphraseLength)")
        }
        guard VaultRegistration.isValidMachineName(machineName) else {
            throw AgentError(.invalidInput, field: "machineName",
                             "\"\(machineName)\" cannot name a machine: use 1 to 64 letters, digits, \".\", \"-\" and \"_\"")
        }
        if !takeOver, let existing = registration() {
            throw AgentError(.alreadyRegistered, "this machine is already registered as \(existing.machineName) with vault "
                + "\(existing.vaultName); unregister it first, or register with take-over")
        }
        guard let file = try? JSONDecoder().decode(VaultCredentials.self, from: Data(credentials)),
              file.format == VaultCredentials.formatName else {
            throw AgentError(.invalidInput, field: "credentials", "this is not a vault credentials file; download one from the "
                + "vault portal with Download vault credentials")
        }
        let settings = try vaultConnectionSettings(at: clock())
        let credential = try Self.mapping {
            try VaultRegistration(settings: settings).register(
                file, machineName: machineName, hostname: configuration.hostname, takeOver: takeOver,
                now: Int(clock().timeIntervalSince1970))
        }
        // Saved before anything else can fail: the vault shows the secret only once.
        try Self.mapping { try credential.save(inStateDirectory: configuration.stateDirectory) }
        repositories.removeAll()
        let session = VaultSession(credential: credential, settings: settings)
        let store = session.objectStore()
        defer { try? store.close() }
        let repository = try Self.mapping { () throws -> Repository in
            if try store.list(.keys).isEmpty {
                return try Repository.create(store: store, passphrase: Array(passphrase.utf8), identity: identity())
            }
            do {
                return try Repository.open(store: store, passphrase: Array(passphrase.utf8), loadIndex: false)
            } catch let error as RepositoryError where error.code == .wrongPassphrase {
                throw AgentError(.wrongPassphrase, field: "passphrase", "the machine is registered, but the passphrase does not open "
                    + "the data \(credential.machineName) already has in the vault: use the passphrase it was registered with")
            }
        }
        try state.saveMasterKey(repository.exportMasterKey())
        try rebuildCatalog(session)
        return registration()!
    }

    /// Replaces the catalog with the vault's listing of this machine's items and recovery points (metadata only).
    func rebuildCatalog(_ session: VaultSession) throws {
        let (points, items) = try Self.mapping { (try session.recoveryPoints(), try session.items()) }
        try catalog.rebuild(from: points, items: items)
    }

    /// A passphrase of 40 random characters (in groups of five) to save as a file.
    public static func generatePassphrase() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var groups: [String] = []
        for _ in 0..<8 {
            // 256 is not a multiple of the alphabet's size: bytes past the last whole multiple are drawn again.
            var group = ""
            while group.count < 5 {
                let byte = Int(SecureRandom.bytes(1)[0])
                if byte < 256 - 256 % alphabet.count { group.append(alphabet[byte % alphabet.count]) }
            }
            groups.append(group)
        }
        return groups.joined(separator: "-")
    }

    /// Unregisters the machine: the vault stops accepting its secret (its recovery points stay there, readable with
    /// the passphrase), and the agent forgets its credential and key. Job history stays.
    public func unregister() throws {
        let credential = try requireCredential()
        try Self.mapping { try session(credential).unregister() }
        state.forget()
        repositories.removeAll()
        try database.execute("DELETE FROM recovery_points")
        notify(.critical, "\(credential.machineName) was unregistered from vault \(credential.vaultName)")
    }

    /// Changes the passphrase: a key slot for the new one is added and the slots of the current one removed (which
    /// needs a security PIN). The data is not re-encrypted and the stored master key stays valid.
    public func changePassphrase(current: String, new: String, securityPIN: String) throws {
        let credential = try requireCredential()
        guard new.count >= Self.minimumPassphraseLength else {
            throw AgentError(.invalidInput, field: "new", "the new passphrase has \(new.count) characters; use at least \(Self.minimumPassphraseLength)")
        }
        guard !securityPIN.isEmpty else {
            throw AgentError(.needsPIN, field: "securityPIN", "changing the passphrase removes the old key slot, which needs a "
                + "security PIN: generate one in the vault portal and enter it here")
        }
        var options = VaultObjectStore.Options()
        options.securityPIN = securityPIN
        let store = try session(credential).objectStore(options: options)
        defer { try? store.close() }
        try Self.mapping {
            let repository: Repository
            do { repository = try Repository.open(store: store, passphrase: Array(current.utf8), loadIndex: false) } catch let error
                as RepositoryError where error.code == .wrongPassphrase {
                throw AgentError(.wrongPassphrase, field: "current", "the current passphrase is wrong: it opens none of the repository's keys")
            }
            _ = try repository.replaceKeySlots(unlockedBy: Array(current.utf8), with: Array(new.utf8), identity: identity())
        }
        notify(.critical, "the encryption passphrase of \(credential.machineName) was changed; keep the new one safe")
    }

    /// Who writes key slots and recovery points, and when.
    func identity() -> WriterIdentity {
        WriterIdentity(time: Timestamp.format(clock()), hostname: configuration.hostname, username: configuration.username)
    }
}
