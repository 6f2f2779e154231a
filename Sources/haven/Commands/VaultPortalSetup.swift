import Foundation
import Vault
import VaultPortal
import Web

/// Wires the vault portal for `haven vault serve`: its identity for credentials files, the host names it answers to, TLS cookies.
enum VaultPortalSetup {
    static func make(service: VaultService, resources: Resources, publicAddress: String, listenAddress: String, port: UInt16,
                     secure: Bool, pins: (String, String)?, extraHosts: [String] = []) throws -> VaultPortal {
        let identity = VaultPortal.Identity(address: publicAddress, certificateSHA256: pins?.0 ?? "", publicKeySHA256: pins?.1 ?? "")
        do {
            return try VaultPortal(service: service, identity: identity, resources: resources) { configuration in
                configuration.secure = secure
                configuration.allowedHosts = allowedHosts(publicAddress: publicAddress, listenAddress: listenAddress) + extraHosts
                configuration.errorLog = { Output.error("portal: \($0)") }
            }
        } catch let error as WebError {
            throw CommandFailure("the vault portal cannot start: \(error.message)")
        } catch {
            throw CommandFailure("the vault portal cannot open its database \(service.configuration.dataDirectory)/portal.sqlite: \(error)")
        }
    }

    /// The names a browser may use: the public address's host, this machine's names, and the address listened on.
    static func allowedHosts(publicAddress: String, listenAddress: String) -> [String] {
        var hosts = VaultIdentity.hostNames()
        if let host = URLComponents(string: publicAddress)?.host, !host.isEmpty { hosts.append(host) }
        if listenAddress != "0.0.0.0" { hosts.append(listenAddress) }
        return hosts
    }

    /// Where an administrator on this machine opens the portal: loopback when listening there, else the public address.
    static func browserAddress(scheme: String, listenAddress: String, publicAddress: String, port: UInt16) -> String {
        listenAddress.hasPrefix("127.") ? "\(scheme)://\(listenAddress):\(port)/" : publicAddress + "/"
    }
}
