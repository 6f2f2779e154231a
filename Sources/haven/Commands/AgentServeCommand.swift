import Agent
import AgentPortal
import ArgumentParser
import Dispatch
import Foundation
import Glibc
import HTTPServer
import Web

/// `haven agent serve`: the agent's daemon (scheduler and worker; the portal is mounted on `--listen`), stopped
/// gracefully by SIGTERM or SIGINT: the running job is cancelled (nothing committed, the vault stays valid) and the
/// process exits 0.
struct AgentServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the agent: scheduled backups, the job worker and the admin portal.",
        discussion: """
            Settings come from built-in defaults, then --config FILE (see config/agent.conf), then HAVEN_AGENT_STATE,
            then the flags. SIGTERM or SIGINT cancel the running job (it commits nothing; the next backup reuses what it
            uploaded) and stop the agent.
            """)

    @Option(name: .long, help: "The agent's configuration file (see config/agent.conf).")
    var config: String?

    @Option(name: .long, help: "The state directory (default /var/lib/haven/agent).")
    var state: String?

    @Option(name: .long, help: "ADDR:PORT of the admin portal (default 127.0.0.1:8442).")
    var listen: String?

    @Option(name: .long, help: "The folder holding the portal's templates/, Public/ and docs/ (default: found next to the program, $HAVEN_RESOURCES, /usr/share/haven).")
    var resources: String?

    func run() throws {
        try runCommand {
            var settings = Settings()
            if let config { try settings.load(file: config) }
            if let env = ProcessInfo.processInfo.environment["HAVEN_AGENT_STATE"], !env.isEmpty { settings.state = env }
            if let state { settings.state = state }
            if let listen { settings.listen = listen }
            let (address, port) = try VaultServeCommand.parseListen(settings.listen)

            // Blocked before any thread starts, so only the sigtimedwait below sees them.
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGTERM)
            sigaddset(&signals, SIGINT)
            pthread_sigmask(SIG_BLOCK, &signals, nil)

            let service: AgentService
            do { service = try AgentService(configuration: settings.configuration, clock: { Date() }) } catch let error as AgentError {
                throw CommandFailure(error.message)
            }
            let stopped = DispatchSemaphore(value: 0)
            let outcome = Outcome()
            let task = Task {
                do { try await service.run() } catch { outcome.set("\(error)") }
                stopped.signal()
            }
            let (server, portal) = try Self.servePortal(service, address: address, port: port, resources: resources)
            let registration = service.registration().map { "registered as \($0.machineName) with vault \($0.vaultName)" }
                ?? "not registered yet"
            Output.line("haven agent running: state \(settings.state), \(registration)")
            let portalAddress = "http://\(address == "0.0.0.0" ? "127.0.0.1" : address):\(server.port)/"
            Output.line("agent portal:        \(portalAddress)")
            Output.line("API token:           \(settings.state)/api-token")
            if let token = try portal.prepareSetup() {
                Output.line("setup token:         \(token)")
                Output.line("  No administrator password is set yet: open \(portalAddress)setup, paste the token and choose one.")
            }
            fflush(nil)
            while true {
                var timeout = timespec(tv_sec: 1, tv_nsec: 0)
                let received = sigtimedwait(&signals, nil, &timeout)
                if received == SIGTERM || received == SIGINT { break }
                if stopped.wait(timeout: .now()) == .success {
                    stopped.signal()
                    break
                }
            }
            server.stop()
            task.cancel()
            stopped.wait()
            if let failure = outcome.message { throw CommandFailure("the agent stopped: \(failure)") }
            Output.error("stopped")
        }
    }

    /// The admin portal and the JSON API on one port: /api/ to the API (bearer token in STATE/api-token), the rest
    /// to the portal (its own sign-in, sessions in STATE/portal.sqlite).
    static func servePortal(_ service: AgentService, address: String, port: UInt16, resources: String?) throws -> (Server, AgentPortal) {
        do {
            let portal = try AgentPortal(service: service, resources: try Resources.locate(explicit: resources), configure: { configuration in
                configuration.allowedHosts = VaultIdentity.hostNames() + (address == "0.0.0.0" ? [] : [address])
                configuration.errorLog = { Output.error("portal: \($0)") }
            }, clock: { Date() })
            let api = AgentAPI(service: service, tokens: try APITokens(stateDirectory: service.configuration.stateDirectory))
            let frontDoor = AgentFrontDoor(portal: portal, api: api)
            var configuration = Server.Configuration(address: VaultServeCommand.serverAddress(address), port: port)
            configuration.maxBodySize = 16 << 20
            configuration.shutdownGracePeriod = .seconds(10)
            return (try Server(configuration: configuration) { await frontDoor.handle($0) }, portal)
        } catch let error as WebError {
            throw CommandFailure("the agent portal cannot start: \(error.message)")
        } catch let error as APITokenError {
            throw CommandFailure("the agent's API cannot start: \(error.message)")
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("the agent portal cannot listen on \(address):\(port) or open STATE/portal.sqlite: \(error)")
        }
    }

    /// How `run()` ended, when it failed.
    final class Outcome: @unchecked Sendable {
        // @unchecked: written once by the service's task before it signals, read after the wait.
        private(set) var message: String?
        func set(_ text: String) { message = text }
    }

    /// The agent's settings, from built-in defaults, then config/agent.conf, then the environment, then flags.
    struct Settings {
        var state = "/var/lib/haven/agent"
        var cache: String?
        var listen = "127.0.0.1:8442"
        var hostname: String?
        var workerThreads: Int?
        var schedulerSeconds = 30

        var configuration: AgentConfiguration {
            var configuration = AgentConfiguration(stateDirectory: state)
            if let cache { configuration.cacheDirectory = cache }
            if let hostname { configuration.hostname = hostname }
            if let workerThreads { configuration.workerThreads = workerThreads }
            configuration.schedulerInterval = .seconds(schedulerSeconds)
            return configuration
        }

        /// Reads `key = value` lines; `#` starts a comment. Unknown keys and bad values are errors, not ignored.
        mutating func load(file path: String) throws {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw CommandFailure("cannot read the config file \(path): \(error.localizedDescription)")
            }
            for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
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
            func path() throws -> String {
                guard value.hasPrefix("/") else { throw CommandFailure("\(place): \(key) must be an absolute path, got \(value)") }
                return value
            }
            switch key {
            case "state": state = try path()
            case "cache": cache = value.isEmpty ? nil : try path()
            case "listen": listen = value
            case "hostname": hostname = value.isEmpty ? nil : value
            case "worker_threads": workerThreads = value.isEmpty ? nil : try number(1...256)
            case "scheduler_seconds": schedulerSeconds = try number(1...3600)
            default: throw CommandFailure("\(place): unknown setting \(String(reflecting: key)); see config/agent.conf for the list")
            }
        }
    }
}
