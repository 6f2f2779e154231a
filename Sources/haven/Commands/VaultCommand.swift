import ArgumentParser
import Crypto
import FileIO
import Foundation
import Vault
import VaultPortal
import VaultProtocol

/// `haven vault`: run the vault service, create vaults, issue vault credentials.
struct VaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault", abstract: "Run the vault service, create vaults and issue vault credentials.",
        discussion: "The data directory is /var/lib/haven/vault unless --data or HAVEN_VAULT_DATA says otherwise.",
        subcommands: [VaultServeCommand.self, CreateCommand.self, CredentialsCommand.self, PINCommand.self, ImportSeedCommand.self,
                       ResetPasswordCommand.self])

    /// The options every vault command takes.
    struct Options: ParsableArguments {
        @Option(name: .long, help: "A settings file (see config/vault.conf).")
        var config: String?

        @Option(name: .long, help: "The vault's data directory (or set HAVEN_VAULT_DATA).")
        var data: String?

        @Flag(name: .long, help: "Print machine-readable JSON.")
        var json = false

        func settings() throws -> VaultSettings { try VaultSettings.resolve(config: config, data: data) }
    }

    struct CreateCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a vault.")

        @OptionGroup var options: Options

        @Argument(help: "The vault's name (1 to 64 characters).")
        var name: String

        func run() throws {
            try runCommand {
                let service = try options.settings().openService()
                let vault = try vaultFailure { try service.createVault(name: name, actor: "cli") }
                if options.json {
                    Output.json(["id": vault.id, "name": vault.name])
                } else {
                    Output.line("created vault \(vault.name) (\(vault.id))")
                }
            }
        }
    }

    struct CredentialsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "credentials", abstract: "Write a vault credentials file that lets machines register with a vault.")

        @OptionGroup var options: Options

        @Argument(help: "The vault's name or id.")
        var name: String

        @Option(name: .long, help: "Where to write the file (default: NAME_YYYY-MM-DD.VaultCredentials here).")
        var out: String?

        @Option(name: .long, help: "How many machines may register with it (1 to 1000).")
        var uses = 1

        @Option(name: .long, help: "How many hours it stays valid (1 to 240; default 48 or credentials_hours).")
        var hours: Int?

        @Option(name: .long, help: "The service address agents use, e.g. https://vault.example.com:8443 (default: what `vault serve` recorded).")
        var address: String?

        func validate() throws {
            guard (1...1000).contains(uses) else { throw ValidationError("--uses must be between 1 and 1000") }
            if let hours, !(1...240).contains(hours) { throw ValidationError("--hours must be between 1 and 240 (10 days)") }
        }

        func run() throws {
            try runCommand {
                let settings = try options.settings()
                let service = try settings.openService()
                let address = try self.address ?? VaultIdentity.recordedAddress(data: settings.data)
                let pins = try VaultIdentity.pins(for: address, data: settings.data)
                let credentials = try vaultFailure {
                    try service.issueCredentials(vault: name, lifetimeSeconds: hours.map { $0 * 3600 }, uses: uses, address: address,
                                                 certificateSHA256: pins?.certificateSHA256 ?? "",
                                                 publicKeySHA256: pins?.publicKeySHA256 ?? "", actor: "cli")
                }
                let file = out ?? credentials.suggestedFileName
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
                do {
                    try FileIO.writeFileAtomically(file, Array(try encoder.encode(credentials)) + [0x0a], mode: 0o600)
                } catch {
                    throw CommandFailure("cannot write the credentials file \(file): \(error)")
                }
                if options.json {
                    Output.json(["file": file, "vaultId": credentials.vaultId, "expiresAt": credentials.expiresAt])
                } else {
                    Output.line("wrote \(file): registers \(uses) machine(s) with vault \(credentials.vaultName) until \(credentials.expiresAt)")
                }
            }
        }
    }

    struct PINCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pin", abstract: "Generate a security PIN for a vault, as the portal's Generate security PIN does.",
            discussion: "Run it on the vault host. The PIN allows one destructive operation (a first or lower retention, "
                + "stop protection, a new passphrase) on any server of the vault, within a few minutes; it is audited.")

        @OptionGroup var options: Options

        @Argument(help: "The vault's name or id.")
        var name: String

        func run() throws {
            try runCommand {
                let service = try options.settings().openService()
                let pin = try vaultFailure { try service.generatePIN(vault: name, actor: "cli") }
                let expires = VaultTime.rfc3339(pin.expiresAt)
                if options.json {
                    Output.json(["pin": pin.pin, "expiresAt": expires])
                } else {
                    Output.line("security PIN: \(pin.pin) (valid once, until \(expires))")
                }
            }
        }
    }

    struct ResetPasswordCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Forget the vault portal's administrator password and print a new one-time setup token.",
            discussion: "Run it on the vault host when the password is lost. Every portal session ends; open /setup with the token.")

        @OptionGroup var options: Options

        func run() throws {
            try runCommand {
                let data = try options.settings().data
                let token: String
                do { token = try VaultPortal.resetPassword(databasePath: data + "/portal.sqlite", clock: { Date() }) } catch {
                    throw CommandFailure("cannot reset the portal password in \(data)/portal.sqlite: \(error)")
                }
                if options.json {
                    Output.json(["setupToken": token])
                } else {
                    Output.line("setup token: \(token)")
                    Output.line("Open the vault portal's /setup page, paste the token and choose a new password.")
                }
            }
        }
    }
}

/// Runs a service call, turning its error into a failure the user reads.
func vaultFailure<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as VaultError { throw CommandFailure(error.message) }
}
