import Foundation
import Vault

/// The vault's settings, from built-in defaults, then config/vault.conf (`--config`), then the environment, then flags.
struct VaultSettings {
    var data = "/var/lib/haven/vault"
    var listen = "0.0.0.0:8443"
    /// The address written into credentials files; derived from `listen` and the host name when empty.
    var address = ""
    var insecureHTTP = false
    var maxObjectMiB = 256
    var gcMarginMinutes = 60
    var softDeleteDays = 14
    var credentialsHours = 48
    var maintenanceMinutes = 60
    var authFailuresPerMinute = 10
    /// Host names (or `name:port`) the portal answers to besides this machine's names and the public address's host.
    var portalHosts: [String] = []

    /// Reads `key = value` lines; `#` starts a comment. Unknown keys and bad values are errors, not ignored.
    mutating func load(file path: String) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw CommandFailure("cannot read the config file \(path): \(error.localizedDescription)")
        }
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else {
                throw CommandFailure("\(path):\(index + 1): expected `key = value`, got \(String(reflecting: String(rawLine)))")
            }
            try set(parts[0], parts[1], at: "\(path):\(index + 1)")
        }
    }

    private mutating func set(_ key: String, _ value: String, at place: String) throws {
        func number(_ range: ClosedRange<Int>) throws -> Int {
            guard let number = Int(value), range.contains(number) else {
                throw CommandFailure("\(place): \(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), got \(value)")
            }
            return number
        }
        switch key {
        case "data": data = value
        case "listen": listen = value
        case "address": address = value
        case "insecure_http":
            guard value == "true" || value == "false" else { throw CommandFailure("\(place): insecure_http must be true or false") }
            insecureHTTP = value == "true"
        case "max_object_mib": maxObjectMiB = try number(1...4096)
        case "gc_margin_minutes": gcMarginMinutes = try number(0...10080)
        case "soft_delete_days": softDeleteDays = try number(14...365)
        case "credentials_hours": credentialsHours = try number(1...240)
        case "maintenance_minutes": maintenanceMinutes = try number(1...1440)
        case "auth_failures_per_minute": authFailuresPerMinute = try number(1...10000)
        case "portal_hosts": portalHosts = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        default: throw CommandFailure("\(place): unknown setting \(String(reflecting: key)); see config/vault.conf for the list")
        }
    }

    var configuration: VaultConfiguration {
        var configuration = VaultConfiguration(dataDirectory: data)
        configuration.maxObjectSize = maxObjectMiB << 20
        configuration.gcMarginSeconds = gcMarginMinutes * 60
        configuration.softDeleteSeconds = softDeleteDays * 86400
        configuration.defaultCredentialsLifetimeSeconds = credentialsHours * 3600
        return configuration
    }

    /// The settings for a command: defaults, the config file, HAVEN_VAULT_DATA, then `--data`.
    static func resolve(config: String?, data: String?) throws -> VaultSettings {
        var settings = VaultSettings()
        if let config { try settings.load(file: config) }
        if let env = ProcessInfo.processInfo.environment["HAVEN_VAULT_DATA"], !env.isEmpty { settings.data = env }
        if let data, !data.isEmpty { settings.data = data }
        return settings
    }

    func openService() throws -> VaultService {
        do {
            return try VaultService(configuration: configuration, clock: { Date() })
        } catch let error as VaultError {
            throw CommandFailure(error.message)
        } catch {
            throw CommandFailure("cannot open the vault in \(data): \(error)")
        }
    }
}
