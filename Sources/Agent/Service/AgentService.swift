/// AgentService is the agent's whole behaviour behind one façade the portal, the JSON API and the CLI share:
/// registration, the backup goal, jobs, recovery, settings and the daemon's loops. This file holds its parts and
/// the helpers the feature files share (the vault session, the repository, error mapping).
import FileIO
import Foundation
import HTTPClient
import ObjectStore
import Repository
import SQLiteDB
import VaultClient
import VaultProtocol

/// The agent of one machine. Every method is safe to call from any thread: state lives in SQLite (one write
/// transaction per change) and in the worker's and the repository cache's own locks.
public final class AgentService: Sendable {
    public let configuration: AgentConfiguration
    let clock: Clock
    let database: Database
    let state: AgentState
    let jobStore: JobStore
    let goals: GoalStore
    let catalog: Catalog
    let repositories: RepositoryCache
    /// The trees of this machine's recovery points read so far: committing a point names the objects it needs, and
    /// with these a backup reads only the trees it wrote, not every tree of the point again from the vault.
    let treeLinks = TreeLinkCache()
    /// The index of this machine's repository as the last job loaded it: the next one reads only the index objects
    /// stored since (the listing is read every time). It holds one repository and key, and is replaced with them.
    public let indexCache = IndexCache()
    let worker: Worker
    let notifier: Notifier
    /// Which directories changed since each item's last backup (optimized mode); runs while `run()` does.
    public let journal: ChangeJournal

    /// Opens (creating if needed) the state directory and its database. Nothing runs until `run()`.
    public init(configuration: AgentConfiguration, clock: @escaping Clock) throws {
        do { try FileIO.makeDirectories(configuration.stateDirectory, mode: 0o700) } catch {
            throw AgentError(.io, "cannot create the agent's state directory \(configuration.stateDirectory): \(error); "
                + "choose one the agent may write (--state DIR)")
        }
        self.configuration = configuration
        self.clock = clock
        do { database = try AgentDatabase.open(path: configuration.stateDirectory + "/agent.sqlite") } catch {
            throw AgentError(.io, "cannot open the agent's database in \(configuration.stateDirectory): \(error)")
        }
        state = AgentState(directory: configuration.stateDirectory)
        jobStore = JobStore(database: database, clock: clock)
        goals = GoalStore(database: database, clock: clock)
        catalog = Catalog(database: database, clock: clock)
        repositories = RepositoryCache(clock: clock)
        worker = Worker()
        notifier = Notifier()
        journal = ChangeJournal(database: database, ignoring: [configuration.stateDirectory, configuration.cacheDirectory])
    }

    // MARK: Shared helpers

    /// The machine credential, or `notRegistered`.
    func requireCredential() throws -> MachineCredential {
        guard let credential = try state.credential() else { throw AgentError.notRegistered }
        return credential
    }

    /// A session with the vault, with the proxy and the throttle in force at this moment.
    func session(_ credential: MachineCredential) throws -> VaultSession {
        VaultSession(credential: credential, settings: try vaultConnectionSettings(at: clock()))
    }

    /// How the agent connects to the vault at `date`: the proxy of the settings, and the throttle's limit for that
    /// time (work hours or not) on uploads and downloads. Jobs take it when they start.
    public func vaultConnectionSettings(at date: Date) throws -> VaultConnection.Settings {
        let settings = try self.settings()
        var http = VaultConnection.Settings.defaultHTTP
        if let proxy = settings.proxy { http.proxy = .url(proxy) }
        if let throttle = settings.throttle {
            let limit = throttle.bytesPerSecond(at: date, in: configuration.timeZone)
            http.maxSendBytesPerSecond = limit
            http.maxReceiveBytesPerSecond = limit
        }
        return VaultConnection.Settings(http: http, retry: RetryPolicy(attempts: configuration.retryAttempts))
    }

    /// This machine's repository, opened with the stored master key.
    func ownRepository(_ credential: MachineCredential, session: VaultSession, loadIndex: Bool = true) throws -> Repository {
        guard let key = try state.masterKey() else {
            throw AgentError(.notRegistered, "the repository's key is missing from \(configuration.stateDirectory); register the machine "
                + "again (take over) with its passphrase")
        }
        return try Self.mapping {
            try Repository.open(store: session.objectStore(), masterKey: key, loadIndex: loadIndex, indexCache: indexCache)
        }
    }

    /// Runs `body`, turning the lower layers' errors into `AgentError`s that say what to do.
    static func mapping<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as AgentError { throw error } catch let error as VaultClientError {
            throw AgentError(error)
        } catch let error as RepositoryError {
            switch error.code {
            case .wrongPassphrase: throw AgentError(.wrongPassphrase, field: "passphrase", error.message)
            case .invalidArgument: throw AgentError(.invalidInput, error.message)
            case .notFound, .missing: throw AgentError(.notFound, error.message)
            default: throw AgentError(.vault, error.message)
            }
        } catch let error as JobStoreError {
            switch error {
            case .busy: throw AgentError(.busy, error.description)
            case .notFound: throw AgentError(.notFound, error.description)
            case .corrupt: throw AgentError(.io, error.description)
            }
        } catch let error as GoalError {
            throw AgentError(.invalidInput, field: error.field, error.message)
        } catch let error as SystemError {
            throw AgentError(.io, error.description)
        } catch {
            throw AgentError(.io, "\(error)")
        }
    }
}

extension AgentError {
    init(_ error: VaultClientError) {
        switch error.code {
        case .credentialsExpired, .notCredentials, .credentialsUnreadable:
            self.init(.invalidInput, field: "credentials", error.message)
        case .notRegistered:
            self.init(.notRegistered, error.message)
        case .invalidArgument:
            self.init(.invalidInput, error.message)
        default:
            if error.vaultCode == "destroy_forbidden" {
                self.init(.needsPIN, field: "securityPIN", error.message)
            } else if error.vaultCode == "pin_invalid" || error.vaultCode == "pin_expired" {
                self.init(.needsPIN, field: "securityPIN", error.message + "; generate a new security PIN in the vault portal")
            } else if error.vaultCode?.hasPrefix("credentials_") == true {
                self.init(.invalidInput, field: "credentials", error.message + "; download a new credentials file from the vault portal")
            } else {
                self.init(.vault, error.message)
            }
        }
    }
}
