/// VaultPortal owns the administrator's web portal of the vault: vaults, servers, credentials, PINs, soft delete, audit.
import Foundation
import HTTPServer
import SQLiteDB
import Vault
import Web

/// The vault portal: the `Web` plumbing (sign-in, sessions, CSRF, help) with the vault's pages, over a `VaultService`.
///
/// It talks to the service only, never to storage: every page reads through `VaultService` and every
/// destructive or security-relevant action (credentials, PINs, undelete, maintenance) is audited there.
/// Sessions and the administrator account live in a SQLite file of their own (`DATA/portal.sqlite` by default).
public final class VaultPortal: Sendable {
    /// What a credentials file says about how agents reach this service.
    public struct Identity: Sendable, Equatable {
        /// The service's public base URL, e.g. "https://vault.example.com:8443".
        public var address: String
        /// Lowercase hex SHA-256 of the DER certificate; empty over plain HTTP.
        public var certificateSHA256: String
        /// Base64 SHA-256 of the certificate's public key (libcurl's pin); empty over plain HTTP.
        public var publicKeySHA256: String

        public init(address: String, certificateSHA256: String = "", publicKeySHA256: String = "") {
            self.address = address
            self.certificateSHA256 = certificateSHA256
            self.publicKeySHA256 = publicKeySHA256
        }
    }

    /// The session cookie's name (with `__Host-` in front over HTTPS); the agent portal uses another.
    public static let cookieName = "haven_vault_session"

    /// The vault service every page reads and acts through.
    public let service: VaultService
    /// Written into every credentials file the portal issues.
    public let identity: Identity
    /// The web application (account, sessions, views).
    public let app: WebApp

    /// The portal's defaults: product name, cookie, navigation, home page.
    public static func defaultConfiguration() -> WebApp.Configuration {
        var configuration = WebApp.Configuration(
            productName: "Haven Vault", cookieName: cookieName,
            navigation: [.init("Vaults", path: "/vaults"), .init("Audit log", path: "/audit"), .init("Help", path: "/help")])
        configuration.homePath = "/vaults"
        return configuration
    }

    /// - Parameters:
    ///   - service: the vault service.
    ///   - identity: the public address and certificate pins written into credentials files.
    ///   - resources: where `templates/`, `Public/` and `docs/` are (see `Resources.locate`).
    ///   - databasePath: the portal's SQLite file; `DATA/portal.sqlite` of the service by default.
    ///   - configure: changes to `defaultConfiguration()` (TLS, allowed host names, limits).
    ///   - hasher: the password hash cost (tests pass a cheap one).
    /// - Throws: `WebError` when the templates cannot be loaded, or the database's error when it cannot be opened.
    public init(service: VaultService, identity: Identity, resources: Resources, databasePath: String? = nil,
                configure: (inout WebApp.Configuration) -> Void = { _ in }, hasher: PasswordHasher = PasswordHasher()) throws {
        self.service = service
        self.identity = identity
        let database = try Database(path: databasePath ?? service.configuration.dataDirectory + "/portal.sqlite")
        try WebStore.migrate(database)
        var configuration = Self.defaultConfiguration()
        configure(&configuration)
        let pages = PortalPages(service: service, identity: identity)
        app = try WebApp(configuration: configuration, resources: resources, database: database, router: pages.router(),
                         hasher: hasher, clock: service.clock)
    }

    /// The handler to give `Server(configuration:handler:)`, or to call for paths that are not the API's.
    public var handler: Server.Handler { app.handler }

    /// Answers one request; never throws.
    public func handle(_ request: Request) async -> Response { await app.handle(request) }

    /// A one-time setup token to print at start while no administrator password is set; nil once it is.
    public func prepareSetup() throws -> String? { try app.prepareSetup() }

    /// Forgets the administrator password of the portal whose database is `databasePath` and returns a new
    /// setup token; signed-in sessions end. For `haven vault reset-password`, run on the vault host.
    public static func resetPassword(databasePath: String, clock: @escaping WebClock) throws -> String {
        let database = try Database(path: databasePath)
        try WebStore.migrate(database)
        let token = try AdministratorAccount(database: database, clock: clock).resetPassword()
        try SessionStore(database: database, idleTimeout: .seconds(1), lifetime: .seconds(1), clock: clock).deleteAll()
        return token
    }
}
