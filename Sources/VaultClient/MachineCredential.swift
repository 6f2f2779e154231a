import FileIO
import Foundation
import VaultProtocol

/// The credential a registered machine keeps in its state directory: which vault, how to reach it, and its secret.
public struct MachineCredential: Codable, Sendable, Equatable {
    public static let formatName = "haven-machine-credential/1"
    /// The file's name inside the state directory.
    public static let fileName = "machine-credential.json"

    public var format = MachineCredential.formatName
    public var vaultId: String
    public var vaultName: String
    /// The vault's base address, e.g. "https://vault.example.com:8443".
    public var address: String
    /// Lowercase hex SHA-256 of the vault's DER certificate; empty over plain HTTP.
    public var certificateSHA256: String
    /// The pinned key: base64 SHA-256 of the vault's DER SubjectPublicKeyInfo; empty over plain HTTP.
    public var publicKeySHA256: String
    public var machineId: String
    public var machineName: String
    /// 43 characters of base64url; the vault keeps only its SHA-256.
    public var secret: String
    /// RFC 3339, UTC.
    public var registeredAt: String

    public init(credentials: VaultCredentials, answer: RegisterResponse, machineName: String, registeredAt: String) {
        vaultId = answer.vaultId
        vaultName = answer.vaultName
        address = credentials.address
        certificateSHA256 = credentials.certificateSHA256
        publicKeySHA256 = credentials.publicKeySHA256
        machineId = answer.machineId
        self.machineName = machineName
        secret = answer.secret
        self.registeredAt = registeredAt
    }

    /// Saves the credential as `fileName` in `directory` (created 0700 if needed): JSON, mode 0600, written atomically.
    public func save(inStateDirectory directory: String) throws(VaultClientError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(self)) + [0x0a] } catch {
            throw VaultClientError(.stateUnwritable, "cannot encode the machine credential: \(error)")
        }
        do throws(SystemError) {
            try FileIO.makeDirectories(directory, mode: 0o700)
            try FileIO.writeFileAtomically(Self.path(inStateDirectory: directory), bytes, mode: 0o600)
        } catch {
            throw VaultClientError(.stateUnwritable, "cannot save the machine credential in \(directory): \(error); "
                + "choose a state directory the agent may write (--state DIR or HAVEN_AGENT_STATE)")
        }
    }

    /// Loads the credential saved in `directory`.
    public static func load(fromStateDirectory directory: String) throws(VaultClientError) -> MachineCredential {
        let path = path(inStateDirectory: directory)
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(path) } catch {
            if error.isNotFound {
                throw VaultClientError(.notRegistered, "this machine is not registered with a vault: \(path) does not exist; "
                    + "register it with `haven agent register --credentials FILE --passphrase-file FILE --state \(directory)`")
            }
            throw VaultClientError(.notRegistered, "cannot read the machine credential \(path): \(error)")
        }
        guard let credential = try? JSONDecoder().decode(MachineCredential.self, from: Data(bytes)),
              credential.format == formatName, !credential.machineId.isEmpty, !credential.secret.isEmpty
        else {
            throw VaultClientError(.notRegistered, "\(path) is not a Haven machine credential; register the machine again "
                + "with `haven agent register --take-over`")
        }
        return credential
    }

    public static func path(inStateDirectory directory: String) -> String { directory + "/" + fileName }
}
