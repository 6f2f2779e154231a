/// WebApp.Configuration owns the settings a portal chooses: its name, navigation, cookie, hosts, timeouts and limits.

extension WebApp {
    /// What a portal decides about its plumbing.
    public struct Configuration: Sendable {
        /// The product name in the top bar and titles, e.g. "Haven Vault".
        public var productName: String
        /// The top bar's links, shown when signed in.
        public var navigation: [Views.NavItem]
        /// The session cookie's name. Browsers share cookies between ports of one host, so the vault and
        /// the agent portal must use different names. Over TLS it gets the `__Host-` prefix.
        public var cookieName: String
        /// Host names the portal answers to besides localhost, 127.0.0.1 and [::1]: `name` or `name:port`.
        public var allowedHosts: [String] = []
        /// True when served over HTTPS: cookies get `Secure` and the `__Host-` prefix.
        public var secure = false
        /// How long a session lives without a request.
        public var sessionIdleTimeout: Duration = .seconds(30 * 60)
        /// How long a session lives at most.
        public var sessionLifetime: Duration = .seconds(12 * 3600)
        /// Failed sign-ins (or setup attempts) allowed per client address within `loginWindow`.
        public var loginMaxFailures = 5
        /// The window failed sign-ins count in.
        public var loginWindow: Duration = .seconds(15 * 60)
        /// Bounds on submitted forms and uploads.
        public var formLimits = FormLimits()
        /// Where to go after signing in when no page was asked for.
        public var homePath = "/"
        /// Path prefixes (e.g. "/api/") answered without a session, sign-in or CSRF check: routes there
        /// authenticate each request themselves (an API token).
        public var unauthenticatedPrefixes: [String] = []
        /// Told about every unexpected error (the page shows only that something went wrong).
        public var errorLog: (@Sendable (String) -> Void)?

        /// - Parameters:
        ///   - productName: e.g. "Haven Vault".
        ///   - cookieName: e.g. "haven_vault_session".
        ///   - navigation: the top bar's links.
        public init(productName: String, cookieName: String, navigation: [Views.NavItem] = []) {
            self.productName = productName
            self.cookieName = cookieName
            self.navigation = navigation
        }

        /// The cookie name as sent: `__Host-` + name over TLS.
        var effectiveCookieName: String { secure ? "__Host-" + cookieName : cookieName }
    }
}
