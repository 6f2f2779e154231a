/// WebServices owns the parts a request needs while it is handled: views, sessions, account, limiter, clock.

/// Shared by every request of one app; every member is immutable or synchronizes itself.
final class WebServices: Sendable {
    let configuration: WebApp.Configuration
    let views: Views
    let sessions: SessionStore
    let account: AdministratorAccount
    let limiter: LoginRateLimiter
    let staticFiles: StaticFiles
    let help: HelpPages
    let hostCheck: HostCheck
    let clock: WebClock

    init(configuration: WebApp.Configuration, views: Views, sessions: SessionStore, account: AdministratorAccount,
         limiter: LoginRateLimiter, resources: Resources, clock: @escaping WebClock) {
        self.configuration = configuration
        self.views = views
        self.sessions = sessions
        self.account = account
        self.limiter = limiter
        self.staticFiles = StaticFiles(directory: resources.publicFiles)
        self.help = HelpPages(directory: resources.docs)
        self.hostCheck = HostCheck(extra: configuration.allowedHosts)
        self.clock = clock
    }

    /// The Set-Cookie value carrying `session`.
    func cookie(for session: Session) -> String {
        Cookies.setCookie(name: configuration.effectiveCookieName, value: session.id, secure: configuration.secure)
    }
}
