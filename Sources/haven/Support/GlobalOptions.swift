import ArgumentParser
import Crypto
import FileIO
import Foundation
import ObjectStore
import Repository

/// The options every repository command takes: where the repository is, the passphrase, and the output form.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The repository directory (or set HAVEN_REPOSITORY).")
    var repo: String?

    @Option(name: .long, help: ArgumentHelp("This machine's repository in the vault: the agent's state directory (or set HAVEN_VAULT).",
                                            valueName: "state-dir"))
    var vault: String?

    @Option(name: .long, help: ArgumentHelp("With --vault or the agent: another machine of the vault to read (its name or id), with its passphrase.",
                                            valueName: "name-or-id"))
    var machine: String?

    @Option(name: [.long, .customLong("passphrase-file")], help: "A file holding the passphrase (or set HAVEN_PASSWORD).")
    var passwordFile: String?

    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false

    @Flag(name: .long, help: "Keep nothing in the cache folder ($XDG_CACHE_HOME/haven, else ~/.cache/haven).")
    var noCache = false

    func validate() throws {
        if let repo, !repo.isEmpty, let vault, !vault.isEmpty { throw ValidationError("give either --repo or --vault, not both") }
        if machine != nil && vaultStateDirectory == nil && !usesAgent { throw ValidationError("--machine reads another machine of a vault: add --vault") }
    }

    var repositoryPath: String {
        get throws {
            if let state = vaultStateDirectory {
                throw CommandFailure("this command works on a repository directory, not on the vault (\(state)); "
                    + "a machine's repository in the vault is created by `haven agent register`")
            }
            if let repo, !repo.isEmpty { return repo }
            if let env = ProcessInfo.processInfo.environment["HAVEN_REPOSITORY"], !env.isEmpty { return env }
            throw CommandFailure("no repository given: pass --repo DIR or set HAVEN_REPOSITORY")
        }
    }

    /// The passphrase bytes: the file's content without its final newline, or HAVEN_PASSWORD.
    func passphrase() throws -> [UInt8] {
        if let passwordFile {
            var bytes: [UInt8]
            do { bytes = try FileIO.readFile(passwordFile) } catch {
                throw CommandFailure("cannot read the password file: \(error)")
            }
            if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            guard !bytes.isEmpty else { throw CommandFailure("the password file \(passwordFile) is empty") }
            return bytes
        }
        if let env = ProcessInfo.processInfo.environment["HAVEN_PASSWORD"], !env.isEmpty { return Array(env.utf8) }
        throw CommandFailure("no passphrase given: pass --password-file FILE or set HAVEN_PASSWORD")
    }

    func openStore() throws -> any ObjectStore {
        if vaultStateDirectory != nil { return try openVaultStore() }
        let path = try repositoryPath
        do { return try FilesystemStore(root: path, hasher: Self.hasher) } catch { throw Self.openFailure(error, path: path) }
    }

    private static func openFailure(_ error: Error, path: String) -> CommandFailure {
        guard let error = error as? ObjectStoreError else { return CommandFailure("cannot open the repository at \(path): \(error)") }
        if error.code == .notFound || error.code == .unavailable {
            return CommandFailure("there is no repository at \(path): \(error.message); create one with `haven repo init --repo \(path)`",
                                  exitCode: .noRepository)
        }
        return CommandFailure("cannot open the repository at \(path): \(error)")
    }

    static let hasher: @Sendable ([UInt8]) -> String = { Hex.encode(SHA256.hash($0)) }

    func openRepository(loadIndex: Bool = true, treeLinks: TreeLinkCache? = nil) throws -> Repository {
        let store = try openStore()
        let passphrase = try passphrase()
        return try openRepository(store, passphrase: passphrase, loadIndex: loadIndex, treeLinks: treeLinks)
    }
}
