/// WebApp owns composing the plumbing into one server handler: host check, static files, session, sign-in, CSRF, routes, error pages.
import Foundation
import HTTPServer
import SQLiteDB

/// A portal's HTTP front: give it routes, get a `Server.Handler`.
///
/// Each request passes, in order: the Host check (421/400) → `/static/…` from `Public/` → the session
/// cookie → sign-in (every path except /login, /setup, /static/ and `unauthenticatedPrefixes`
/// redirects to /login, or /setup before a password exists) → the CSRF token on POST/PUT/PATCH/DELETE
/// (403) → the route (404/405) → an error page in the layout for any `WebError` (and a bare 500 page
/// for anything else). Every response gets the security headers; pages get `Cache-Control: no-store`.
///
/// Built-in routes: GET/POST /setup, GET/POST /login, POST /logout, GET/POST /account/password,
/// GET /help and /help/:name (from `docs/`). Templates they use: `login`, `setup`, `account/password`,
/// `help/index`, `help/page`, `errors/error`, and `layout`.
public final class WebApp: Sendable {
    /// The settings the app was made with.
    public let configuration: Configuration
    /// The administrator's account (setup token, password).
    public let account: AdministratorAccount
    /// The sessions.
    public let sessions: SessionStore
    /// The templates, for rendering outside a request.
    public let views: Views
    let services: WebServices
    let router: Router

    /// - Parameters:
    ///   - configuration: name, navigation, cookie, hosts, timeouts.
    ///   - resources: where `templates/`, `Public/` and `docs/` are.
    ///   - database: a database migrated with `WebStore` (shared with the portal or its own).
    ///   - router: the portal's routes.
    ///   - hasher: the password hash cost (tests pass a cheap one).
    ///   - clock: the time source for sessions, rate limits and pages.
    /// - Throws: `WebError` when the templates cannot be loaded.
    public init(configuration: Configuration, resources: Resources, database: Database, router: Router,
                hasher: PasswordHasher = PasswordHasher(), clock: @escaping WebClock) throws(WebError) {
        self.configuration = configuration
        views = try Views(directory: resources.templates, productName: configuration.productName,
                          navigation: configuration.navigation)
        sessions = SessionStore(database: database, idleTimeout: configuration.sessionIdleTimeout,
                                lifetime: configuration.sessionLifetime, clock: clock)
        account = AdministratorAccount(database: database, hasher: hasher, clock: clock)
        let limiter = LoginRateLimiter(maxFailures: configuration.loginMaxFailures, window: configuration.loginWindow, clock: clock)
        services = WebServices(configuration: configuration, views: views, sessions: sessions, account: account,
                               limiter: limiter, resources: resources, clock: clock)
        var routes = AccountPages.routes(services)
        routes.merge(HelpRoutes.routes(services))
        routes.merge(router)
        self.router = routes
    }

    /// The handler to give `Server(configuration:handler:)`.
    public var handler: Server.Handler {
        { [self] request in await handle(request) }
    }

    /// A setup token to print at start while no password is set (see `AdministratorAccount.prepareSetup`).
    public func prepareSetup() throws -> String? {
        try account.prepareSetup()
    }

    /// Answers one request; never throws: failures become error pages.
    public func handle(_ request: Request) async -> Response {
        var state = RequestState()
        var response: Response
        do {
            if let refused = services.hostCheck.check(request.headers["Host"]) { throw refused }
            if request.path.hasPrefix("/static/"), request.method == "GET" || request.method == "HEAD" {
                response = try services.staticFiles.serve(String(request.path.dropFirst("/static/".count)), headers: request.headers)
                SecurityHeaders.apply(to: &response, cacheable: true)
                return response
            }
            response = try await dispatch(request, state: &state)
        } catch {
            response = errorPage(for: error, request: request, session: state.session)
        }
        if let cookie = state.setCookie { response.headers.add("Set-Cookie", cookie) }
        SecurityHeaders.apply(to: &response, cacheable: false)
        return response
    }
}
