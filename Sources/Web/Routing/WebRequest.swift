/// WebRequest owns what a page handler sees of one request: the raw request, route parameters, session, form, cookies.
import Foundation
import HTTPServer

/// One routed request, with the visitor's session and the parsed form, and the means to answer it with a page.
public struct WebRequest: Sendable {
    /// The request as the server received it.
    public let raw: Request
    /// Values captured by the route's `:param` and `*rest` segments.
    public let parameters: [String: String]
    /// The visitor's session (authenticated on every route except the public ones).
    public let session: Session?
    /// The parsed body of a url-encoded or multipart form; empty for other requests.
    public let form: FormData
    /// The request's cookies by name.
    public let cookies: [String: String]
    let services: WebServices

    init(raw: Request, parameters: [String: String], session: Session?, form: FormData, cookies: [String: String],
         services: WebServices) {
        self.raw = raw
        self.parameters = parameters
        self.session = session
        self.form = form
        self.cookies = cookies
        self.services = services
    }

    /// The method, e.g. "GET".
    public var method: String { raw.method }
    /// The percent-decoded path, e.g. "/vaults/main".
    public var path: String { raw.path }
    /// The first query item called `name`.
    public func query(_ name: String) -> String? { raw.queryValue(name) }
    /// The current time from the app's clock.
    public var now: Date { services.clock() }
    /// The session's CSRF token, for forms rendered outside the layout's context ("" without a session).
    public var csrfToken: String { session?.csrfToken ?? "" }

    /// The route parameter `name`; a route without it is a programming error, so this throws 404, not crashes.
    public func parameter(_ name: String) throws(WebError) -> String {
        guard let value = parameters[name] else { throw .notFound("no such page: \(path)") }
        return value
    }

    /// Renders `template` inside the layout with the title, navigation, flash message and CSRF token.
    ///
    /// The page template sees `context` plus `csrfToken`, `title` and `now`; values are HTML-escaped
    /// unless the template uses `{{{triple}}}` mustaches.
    /// - Parameters:
    ///   - template: a name under `templates/` without `.mustache`, e.g. "vaults/list".
    ///   - title: the page title, shown in the tab and as the page heading.
    ///   - context: the view model: dictionaries, arrays, strings, numbers, Bools, or structs (read through Mirror).
    ///   - status: the status code; 200 by default (422 suits a form re-rendered with errors).
    public func page(_ template: String, title: String, _ context: [String: Any] = [:], status: Int = 200) throws
        -> Response
    {
        let flash = try session.flatMap { try services.sessions.takeFlash(from: $0) }
        return try services.views.page(
            template, title: title, context: context, chrome: chrome(flash: flash), status: status)
    }

    /// A 303 redirect to a local path, with a message for the next page shown.
    public func redirect(to path: String, flash: Flash? = nil) throws -> Response {
        if let flash, let session { try services.sessions.setFlash(flash, in: session) }
        return .redirect(to: path)
    }

    func chrome(flash: Flash?) -> Views.Chrome {
        Views.Chrome(
            csrfToken: csrfToken, path: path, signedIn: session?.isAuthenticated ?? false, flash: flash)
    }
}
