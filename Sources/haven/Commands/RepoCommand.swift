import ArgumentParser
import Compression
import Crypto
import FileIO
import ObjectStore
import Repository

/// `haven repo`: create a repository, change its passphrase.
struct RepoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repo", abstract: "Create a repository or change its passphrase.",
        subcommands: [InitCommand.self, PasswdCommand.self])

    struct InitCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "init", abstract: "Create a new, empty repository.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "The size packs are closed at, in MiB (1 to 128).")
        var packSize = 16

        @Option(name: .long, help: "Blob compression: zstd, zlib or none.")
        var compression = "zstd"

        func validate() throws {
            guard (1...128).contains(packSize) else { throw ValidationError("--pack-size must be between 1 and 128 (MiB)") }
            guard Codec(name: compression) != nil else { throw ValidationError("--compression must be zstd, zlib or none") }
        }

        func run() throws {
            try runCommand {
                let path = try global.repositoryPath
                let passphrase = try global.passphrase()
                guard passphrase.count >= 16 else {
                    throw CommandFailure("the passphrase has \(passphrase.count) characters; use at least 16")
                }
                let store: FilesystemStore
                do { store = try FilesystemStore.create(root: path, hasher: GlobalOptions.hasher) } catch let error as ObjectStoreError {
                    if error.code == .alreadyExists {
                        throw CommandFailure("a repository already exists at \(path)")
                    }
                    throw CommandFailure("cannot create a repository at \(path): \(error)")
                }
                let codec = Codec(name: compression)!
                let config = RepositoryConfig(id: Hex.encode(SecureRandom.bytes(32)), compression: codec,
                                              compressionLevel: codec.defaultLevel, packSize: packSize << 20)
                let repository = try Repository.create(store: store, passphrase: passphrase, config: config,
                                                       identity: SystemClock.identity())
                if global.json {
                    Output.json(["id": repository.config.id, "repository": path])
                } else {
                    Output.line("created repository \(repository.config.id.prefix(10)) at \(path)")
                    Output.line("Keep the passphrase safe: without it the data cannot be read, by anyone.")
                }
            }
        }
    }

    struct PasswdCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "passwd", abstract: "Change the passphrase (adds a key slot for the new one, then removes the old one).")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "A file holding the new passphrase.")
        var newPasswordFile: String

        @Option(name: .long, help: "With --vault: a security PIN from the vault portal (removing the old key slot needs one).")
        var securityPin: String?

        func run() throws {
            try runCommand {
                let repository: Repository
                if global.vaultStateDirectory != nil {
                    guard let securityPin else {
                        throw CommandFailure("changing the passphrase in the vault removes the old key slot, which needs a security PIN: "
                            + "generate one in the vault portal and pass it with --security-pin")
                    }
                    repository = try global.openRepository(try global.openVaultStore(securityPIN: securityPin),
                                                           passphrase: try global.passphrase(), loadIndex: false)
                } else {
                    repository = try global.openRepository(loadIndex: false)
                }
                defer { global.release(repository) }
                var newPassphrase: [UInt8]
                do { newPassphrase = try FileIO.readFile(newPasswordFile) } catch {
                    throw CommandFailure("cannot read the new password file: \(error)")
                }
                while newPassphrase.last == UInt8(ascii: "\n") || newPassphrase.last == UInt8(ascii: "\r") { newPassphrase.removeLast() }
                guard newPassphrase.count >= 16 else {
                    throw CommandFailure("the new passphrase has \(newPassphrase.count) characters; use at least 16")
                }
                let old = try global.passphrase()
                let removed = try repository.replaceKeySlots(unlockedBy: old, with: newPassphrase, identity: SystemClock.identity())
                if global.json {
                    Output.json(["removedSlots": removed])
                } else {
                    Output.line("passphrase changed; \(removed) old key slot(s) removed")
                }
            }
        }
    }
}
