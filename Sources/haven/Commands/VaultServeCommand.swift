import ArgumentParser
import Foundation
import Glibc
import HTTPServer
import Vault
import VaultAPI
import VaultPortal
import Web

/// `haven vault serve`: the vault API and the vault portal on one port over HTTPS (self-signed, pinned by agents),
/// hourly maintenance, clean stop on SIGTERM.
struct VaultServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the vault service.",
        discussion: """
            Serves the machine API (/api/v1) and the administrator's portal (every other path) on one port, over HTTPS
            with a self-signed certificate made at the first start (DATA/tls); agents pin its key, which every
            credentials file carries. Plain HTTP only with --insecure-http on a loopback address. While no administrator
            password is set, it prints a one-time setup token for the portal.
            SIGTERM or SIGINT stop it after the requests in flight are answered.
            """)

    @OptionGroup var options: VaultCommand.Options

    @Option(name: .long, help: "ADDR:PORT to listen on (default 0.0.0.0:8443).")
    var listen: String?

    @Flag(name: .long, help: "Serve plain HTTP; refused unless listening on a loopback address.")
    var insecureHTTP = false

    @Option(name: .long, help: "The folder holding the portal's templates/, Public/ and docs/ (default: found next to the program, $HAVEN_RESOURCES, /usr/share/haven).")
    var resources: String?

    func run() throws {
        try runCommand {
            var settings = try options.settings()
            if let listen { settings.listen = listen }
            if insecureHTTP { settings.insecureHTTP = true }
            let (address, port) = try Self.parseListen(settings.listen)
            if settings.insecureHTTP && !address.hasPrefix("127.") {
                throw CommandFailure("refusing plain HTTP on \(address): agents would send their secrets unencrypted. "
                    + "Use --insecure-http only with a loopback address (127.0.0.1), or drop it to serve HTTPS")
            }
            // Blocked before any thread starts, so every thread inherits the mask and only sigtimedwait below sees them.
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGTERM)
            sigaddset(&signals, SIGINT)
            pthread_sigmask(SIG_BLOCK, &signals, nil)

            let service = try settings.openService()
            var configuration = Server.Configuration(address: Self.serverAddress(address), port: port)
            let api = VaultAPI(service: service, maxAuthFailures: settings.authFailuresPerMinute)
            configuration.maxBodySize = api.maxBodySize
            configuration.shutdownGracePeriod = .seconds(60)
            var pins: (String, String)?
            if !settings.insecureHTTP {
                let identity = try VaultIdentity.loadOrCreate(data: settings.data)
                configuration.tls = .init(certificatePEM: identity.certificatePEM, privateKeyPEM: identity.keyPEM)
                pins = (identity.pins.certificateSHA256, identity.pins.publicKeySHA256)
            }
            let portalResources: Resources
            do throws(WebError) { portalResources = try Resources.locate(explicit: resources) } catch {
                throw CommandFailure("the vault portal cannot start: \(error.message)")
            }
            let frontDoor = VaultFrontDoor(api: api)
            let server: Server
            do { server = try Server(configuration: configuration) { await frontDoor.handle($0) } } catch {
                throw CommandFailure("cannot listen on \(settings.listen): \(error)")
            }
            let scheme = settings.insecureHTTP ? "http" : "https"
            let host = address == "0.0.0.0" ? VaultIdentity.hostName : address
            let publicAddress = settings.address.isEmpty ? "\(scheme)://\(host):\(server.port)" : settings.address
            try VaultIdentity.recordAddress(publicAddress, data: settings.data)
            let portal = try VaultPortalSetup.make(
                service: service, resources: portalResources, publicAddress: publicAddress, listenAddress: address,
                port: server.port, secure: !settings.insecureHTTP, pins: pins, extraHosts: settings.portalHosts)
            frontDoor.attach(portal)
            let setupToken = try portal.prepareSetup()
            report(listening: "\(scheme)://\(address):\(server.port)", publicAddress: publicAddress, pins: pins,
                   portal: VaultPortalSetup.browserAddress(scheme: scheme, listenAddress: address, publicAddress: publicAddress,
                                                           port: server.port),
                   setupToken: setupToken, data: settings.data)
            Self.waitForStop(signals, service: service, every: settings.maintenanceMinutes * 60)
            server.stop()
            Output.error("stopped")
        }
    }

    private func report(listening: String, publicAddress: String, pins: (String, String)?, portal: String, setupToken: String?,
                        data: String) {
        if options.json {
            var fields = ["listening": listening, "address": publicAddress, "portal": portal]
            if let pins { fields["certificateSHA256"] = pins.0; fields["publicKeySHA256"] = pins.1 }
            if let setupToken { fields["setupToken"] = setupToken }
            Output.json(fields)
        } else {
            Output.line("haven vault serving on \(listening) (credentials name \(publicAddress))")
            if let pins {
                Output.line("certificate SHA-256: \(pins.0)")
                Output.line("public key pin:      \(pins.1)")
            }
            Output.line("vault portal:        \(portal)")
            if let setupToken {
                Output.line("setup token:         \(setupToken)")
                Output.line("  No administrator password is set yet: open \(portal)setup, paste the token and choose one.")
            } else {
                Output.line("  Sign in with the administrator password (lost it? run `haven vault reset-password --data \(data)`).")
            }
        }
        fflush(nil)
    }

    /// Waits for SIGTERM or SIGINT, running retention, purge and garbage collection every `interval` seconds meanwhile.
    private static func waitForStop(_ signals: sigset_t, service: VaultService, every interval: Int) {
        var signals = signals
        var nextMaintenance = Date().addingTimeInterval(TimeInterval(interval))
        while true {
            var timeout = timespec(tv_sec: 1, tv_nsec: 0)
            let received = sigtimedwait(&signals, nil, &timeout)
            if received == SIGTERM || received == SIGINT { return }
            guard Date() >= nextMaintenance else { continue }
            nextMaintenance = Date().addingTimeInterval(TimeInterval(interval))
            do {
                let report = try service.maintain()
                if report.expiredPoints + report.purgedPoints + report.collectedObjects > 0 {
                    Output.error("maintenance: \(report.expiredPoints) expired, \(report.purgedPoints) purged, "
                        + "\(report.collectedObjects) objects (\(Output.size(UInt64(report.collectedBytes)))) collected")
                }
            } catch {
                Output.error("maintenance failed (it runs again in \(interval / 60) minutes): \(error)")
            }
        }
    }

    static func parseListen(_ text: String) throws -> (String, UInt16) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw CommandFailure("--listen must be ADDR:PORT, e.g. 0.0.0.0:8443 or 127.0.0.1:8443; got \(String(reflecting: text))")
        }
        let address = String(text[..<colon])
        var parsed = in_addr()
        guard inet_pton(AF_INET, address, &parsed) == 1 else {
            throw CommandFailure("--listen needs an IPv4 address, e.g. 0.0.0.0 or 127.0.0.1; got \(String(reflecting: address))")
        }
        return (address, port)
    }

    static func serverAddress(_ address: String) -> Server.Configuration.Address {
        switch address {
        case "0.0.0.0": .any
        case "127.0.0.1": .loopback
        default: .ipv4(address)
        }
    }
}
