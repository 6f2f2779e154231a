/// WebApp+Pipeline owns the steps between a request and its route: session, sign-in, form, CSRF.
import HTTPServer

extension WebApp {
    /// What the pipeline learned about a request so far, kept for the error page and the cookie.
    struct RequestState {
        var session: Session?
        var setCookie: String?
    }

    /// Paths anyone may open: signing in needs them.
    static let publicPages: Set<String> = ["/login", "/setup"]

    func dispatch(_ request: Request, state: inout RequestState) async throws -> Response {
        let cookies = Cookies.parse(request.headers["Cookie"])
        if configuration.unauthenticatedPrefixes.contains(where: { request.path.hasPrefix($0) }) {
            return try await route(request, session: nil, cookies: cookies, checkCSRF: false)
        }
        state.session = try cookies[configuration.effectiveCookieName].flatMap { try sessions.load(id: $0) }
        let isPublic = Self.publicPages.contains(request.path)
        if !isPublic, state.session?.isAuthenticated != true {
            let target = try account.hasPassword() ? "/login" : "/setup"
            let asked = request.method == "GET" && request.path != configuration.homePath
                ? "?next=" + AccountPages.percentEncode(request.path) : ""
            return .redirect(to: target + (target == "/login" ? asked : ""))
        }
        if isPublic, state.session == nil {
            let created = try sessions.create(authenticated: false)
            state.session = created
            state.setCookie = services.cookie(for: created)
        }
        return try await route(request, session: state.session, cookies: cookies, checkCSRF: true)
    }

    private func route(_ request: Request, session: Session?, cookies: [String: String], checkCSRF: Bool)
        async throws -> Response
    {
        let form = try parseForm(request)
        if checkCSRF, CSRFCheck.applies(to: request.method),
           let refused = CSRFCheck.check(request, form: form, session: session)
        {
            throw refused
        }
        switch router.match(method: request.method, path: request.path) {
        case .notFound:
            throw WebError.notFound("there is no page at \(request.path)")
        case .methodNotAllowed(let allowed):
            throw WebError(.methodNotAllowed, "\(request.path) does not accept \(request.method)",
                           headers: [("Allow", allowed.joined(separator: ", "))])
        case .found(let handler, let parameters):
            let webRequest = WebRequest(raw: request, parameters: parameters, session: session, form: form,
                                        cookies: cookies, services: services)
            return try await handler(webRequest)
        }
    }

    /// The form in the body, by Content-Type; empty for other bodies (an API route reads `raw.body`).
    func parseForm(_ request: Request) throws(WebError) -> FormData {
        guard !request.body.isEmpty, let contentType = request.headers["Content-Type"] else { return FormData() }
        let parsed = HeaderParameters(contentType)
        switch parsed.value {
        case "application/x-www-form-urlencoded":
            return try URLEncodedForm.parse(request.body, limits: configuration.formLimits)
        case "multipart/form-data":
            return try MultipartForm.parse(request.body, boundary: parsed.parameters["boundary"] ?? "",
                                           limits: configuration.formLimits)
        default:
            return FormData()
        }
    }
}
