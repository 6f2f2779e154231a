/// AgentState owns the agent's secret files in the state directory: the machine credential (how it talks to the vault)
/// and the repository's master key (how it backs up unattended), each private to the agent and written atomically.
import FileIO
import Foundation
import Glibc
import VaultClient

struct AgentState: Sendable {
    static let keyFileName = "repository.key"

    let directory: String

    var keyPath: String { directory + "/" + Self.keyFileName }

    /// The saved credential, or nil when the machine is not registered (no credential file).
    func credential() throws -> MachineCredential? {
        guard access(MachineCredential.path(inStateDirectory: directory), F_OK) == 0 else { return nil }
        do { return try MachineCredential.load(fromStateDirectory: directory) } catch {
            throw AgentError(.io, error.message)
        }
    }

    /// The master key saved at registration, or nil when there is none.
    func masterKey() throws -> [UInt8]? {
        do {
            let text = String(decoding: try FileIO.readFile(keyPath), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let data = Data(base64Encoded: text) else {
                throw AgentError(.io, "\(keyPath) does not hold a master key; register the machine again with its passphrase")
            }
            return Array(data)
        } catch let error as SystemError where error.isNotFound {
            return nil
        } catch let error as AgentError {
            throw error
        } catch {
            throw AgentError(.io, "cannot read the master key \(keyPath): \(error)")
        }
    }

    /// Saves the master key: base64, mode 0600, written atomically (a crash leaves the old key or the new one).
    func saveMasterKey(_ key: [UInt8]) throws {
        do throws(SystemError) {
            try FileIO.makeDirectories(directory, mode: 0o700)
            try FileIO.writeFileAtomically(keyPath, Array((Data(key).base64EncodedString() + "\n").utf8), mode: 0o600)
        } catch {
            throw AgentError(.io, "cannot save the master key in \(directory): \(error); check that the agent may write its state directory")
        }
    }

    /// Removes the credential and the key (unregistering); the database and its history stay.
    func forget() {
        unlink(MachineCredential.path(inStateDirectory: directory))
        unlink(keyPath)
    }
}
