/// AgentPortal owns the administrator's web portal of one protected machine: register, schedule, back up, jobs, recover, settings.
import Agent
import Foundation
import HTTPServer
import SQLiteDB
import Web

/// The agent portal: the `Web` plumbing (sign-in, sessions, CSRF, help) with the agent's pages, over an `AgentService`.
///
/// It talks to the service only: registration, the backup goal, jobs, recovery and settings all go through
/// `AgentService`, which owns the vault connection, the keys and the catalog. Sessions and the administrator
/// account live in a SQLite file of their own (`STATE/portal.sqlite` by default). Passphrases typed into the
/// portal are handed to the service and never stored or put into a URL.
public final class AgentPortal: Sendable {
    /// The session cookie's name; the vault portal uses another, so both can run on one host.
    public static let cookieName = "haven_agent_session"

    /// The agent service every page reads and acts through.
    public let service: AgentService
    /// The web application (account, sessions, views).
    public let app: WebApp

    /// The portal's defaults: product name, cookie, navigation, home page.
    public static func defaultConfiguration() -> WebApp.Configuration {
        var configuration = WebApp.Configuration(
            productName: "Haven Agent", cookieName: cookieName,
            navigation: [
                .init("Overview", path: "/overview"), .init("Schedule backup", path: "/schedule"),
                .init("Back up now", path: "/backup"), .init("Jobs", path: "/jobs"), .init("Recover data", path: "/recover"),
                .init("Settings", path: "/settings"), .init("Help", path: "/help"),
            ])
        configuration.homePath = "/overview"
        configuration.unauthenticatedPrefixes = ["/api/"]
        return configuration
    }

    /// - Parameters:
    ///   - service: the agent service.
    ///   - resources: where `templates/`, `Public/` and `docs/` are (see `Resources.locate`).
    ///   - databasePath: the portal's SQLite file; `STATE/portal.sqlite` of the service by default.
    ///   - configure: changes to `defaultConfiguration()` (allowed host names, limits, error log).
    ///   - hasher: the password hash cost (tests pass a cheap one).
    ///   - clock: the time pages are rendered at (relative times, calendars, default dates).
    /// - Throws: `WebError` when the templates cannot be loaded, or the database's error when it cannot be opened.
    public init(service: AgentService, resources: Resources, databasePath: String? = nil,
                configure: (inout WebApp.Configuration) -> Void = { _ in }, hasher: PasswordHasher = PasswordHasher(),
                clock: @escaping WebClock) throws {
        self.service = service
        let database = try Database(path: databasePath ?? service.configuration.stateDirectory + "/portal.sqlite")
        try WebStore.migrate(database)
        var configuration = Self.defaultConfiguration()
        configure(&configuration)
        let pages = AgentPages(service: service, fragments: try Views(directory: resources.templates, productName: configuration.productName))
        app = try WebApp(configuration: configuration, resources: resources, database: database, router: pages.router(),
                         hasher: hasher, clock: clock)
    }

    /// Answers one request; never throws.
    public func handle(_ request: Request) async -> Response { await app.handle(request) }

    /// A one-time setup token to print at start while no administrator password is set; nil once it is.
    public func prepareSetup() throws -> String? { try app.prepareSetup() }

    /// Forgets the administrator password of the portal whose database is `databasePath` and returns a new
    /// setup token; signed-in sessions end.
    public static func resetPassword(databasePath: String, clock: @escaping WebClock) throws -> String {
        let database = try Database(path: databasePath)
        try WebStore.migrate(database)
        let token = try AdministratorAccount(database: database, clock: clock).resetPassword()
        try SessionStore(database: database, idleTimeout: .seconds(1), lifetime: .seconds(1), clock: clock).deleteAll()
        return token
    }
}
