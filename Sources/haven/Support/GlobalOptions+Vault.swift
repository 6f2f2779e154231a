import Foundation
import ObjectStore
import Repository
import VaultClient

/// The engine commands on the vault: `--vault STATE_DIR` (or HAVEN_VAULT) opens this machine's repository there,
/// `--machine` another machine's, through the credential `haven agent register` saved.
extension GlobalOptions {
    /// The agent state directory when the command works on the vault: --vault, else HAVEN_VAULT unless --repo was given.
    var vaultStateDirectory: String? {
        if let vault, !vault.isEmpty { return vault }
        if let repo, !repo.isEmpty { return nil }
        if let env = ProcessInfo.processInfo.environment["HAVEN_VAULT"], !env.isEmpty { return env }
        return nil
    }

    /// The repository's store in the vault: this machine's, or the one `--machine` names.
    func openVaultStore(securityPIN: String? = nil) throws -> VaultObjectStore {
        guard let state = vaultStateDirectory else { throw CommandFailure("no vault given: pass --vault STATE_DIR or set HAVEN_VAULT") }
        let credential: MachineCredential
        do { credential = try MachineCredential.load(fromStateDirectory: state) } catch {
            throw CommandFailure(error.message, exitCode: .noRepository)
        }
        let session = VaultSession(credential: credential, settings: Self.vaultSettings)
        var options = VaultObjectStore.Options()
        options.securityPIN = securityPIN
        var machineId: String?
        if let machine { machineId = try vaultCall { () throws(VaultClientError) in try session.machine(machine).id } }
        return session.objectStore(machineId: machineId, options: options)
    }

    /// libcurl's defaults, with the proxy from the environment (http_proxy, https_proxy, no_proxy).
    static var vaultSettings: VaultConnection.Settings { VaultConnection.Settings() }

    /// Opens the repository in `store`; in the vault, a machine without one is told how it gets one.
    func openRepository(_ store: any ObjectStore, passphrase: [UInt8], loadIndex: Bool,
                        treeLinks: TreeLinkCache? = nil) throws -> Repository {
        do {
            return try CommandFailure.mapping {
                try Repository.open(store: store, passphrase: passphrase, loadIndex: loadIndex, treeLinks: treeLinks)
            }
        } catch let failure as CommandFailure where failure.exitCode == .noRepository {
            guard let vaultStore = store as? VaultObjectStore else { throw failure }
            let whose = machine.map { "machine \($0)" } ?? "this machine"
            throw CommandFailure("\(whose) has no repository in the vault yet (\(vaultStore.machineId)); "
                + "`haven agent register` creates it", exitCode: .noRepository)
        }
    }

    /// Releases what a command held in the vault (the upload lease); nothing to do for a directory.
    func release(_ repository: Repository) {
        try? (repository.store as? VaultObjectStore)?.close()
    }
}

/// Runs a vault call, turning its error into a failure the user reads.
func vaultCall<T>(_ body: () throws(VaultClientError) -> T) throws -> T {
    do { return try body() } catch { throw CommandFailure(error.message) }
}
