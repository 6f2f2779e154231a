/// AccountPages owns the built-in pages of the administrator's account: first-run setup, sign-in, sign-out, password change.
import HTTPServer

/// The routes /setup, /login, /logout and /account/password.
enum AccountPages {
    static func routes(_ services: WebServices) -> Router {
        var router = Router()
        router.get("/setup") { request in
            guard try !services.account.hasPassword() else {
                return try request.redirect(to: "/login", flash: .info("The password is already set; sign in."))
            }
            return try request.page("setup", title: "Set up", ["form": FormValidation(FormData()).context])
        }
        router.post("/setup") { request in try setup(request, services) }
        router.get("/login") { request in
            guard try services.account.hasPassword() else { return .redirect(to: "/setup") }
            if request.session?.isAuthenticated == true { return .redirect(to: services.configuration.homePath) }
            return try request.page("login", title: "Sign in", ["next": request.query("next") ?? "",
                                                                 "form": FormValidation(FormData()).context])
        }
        router.post("/login") { request in try login(request, services) }
        router.post("/logout") { request in
            if let session = request.session { try services.sessions.delete(session) }
            let fresh = try services.sessions.create(authenticated: false)
            try services.sessions.setFlash(.info("You are signed out."), in: fresh)
            var response = Response.redirect(to: "/login")
            response.headers.add("Set-Cookie", services.cookie(for: fresh))
            return response
        }
        router.get("/account/password") { request in
            try request.page("account/password", title: "Change password", ["form": FormValidation(FormData()).context])
        }
        router.post("/account/password") { request in try changePassword(request, services) }
        return router
    }

    private static func setup(_ request: WebRequest, _ services: WebServices) throws -> Response {
        guard try !services.account.hasPassword() else { return .redirect(to: "/login") }
        let address = try checkRate(request, services)
        var check = FormValidation(request.form)
        let token = check.required("token", "Paste the setup token printed when the service started.")
        let password = check.values["password"] ?? ""
        check.expect(password.count >= AdministratorAccount.minimumPasswordLength, "password",
                     "Use at least \(AdministratorAccount.minimumPasswordLength) characters.")
        check.expect(password == check.values["confirm"], "confirm", "The two passwords differ.")
        if check.isValid, let token {
            do {
                try services.account.completeSetup(token: token, password: password)
                return try signIn(request, services, address: address, flash: .success("Password set. Welcome."))
            } catch let error as WebError where error.code == .forbidden {
                services.limiter.recordFailure(from: address)
                check.fail("token", "This setup token is not valid: use the one printed when the service last started.")
            }
        }
        check.forget("password", "confirm")
        return try request.page("setup", title: "Set up", ["form": check.context], status: 422)
    }

    private static func login(_ request: WebRequest, _ services: WebServices) throws -> Response {
        guard try services.account.hasPassword() else { return .redirect(to: "/setup") }
        let address = try checkRate(request, services)
        var check = FormValidation(request.form)
        if try services.account.verify(password: request.form["password"] ?? "") {
            return try signIn(request, services, address: address, flash: nil)
        }
        services.limiter.recordFailure(from: address)
        check.fail("password", "Wrong password.")
        check.forget("password")
        return try request.page("login", title: "Sign in", ["next": request.form["next"] ?? "", "form": check.context],
                                status: 422)
    }

    private static func changePassword(_ request: WebRequest, _ services: WebServices) throws -> Response {
        var check = FormValidation(request.form)
        let new = check.values["password"] ?? ""
        check.expect(new.count >= AdministratorAccount.minimumPasswordLength, "password",
                     "Use at least \(AdministratorAccount.minimumPasswordLength) characters.")
        check.expect(new == check.values["confirm"], "confirm", "The two passwords differ.")
        if check.isValid {
            do {
                try services.account.changePassword(current: request.form["current"] ?? "", new: new)
                try services.sessions.deleteAll()
                return try signIn(request, services, address: request.raw.clientAddress ?? "unknown",
                                  flash: .success("Password changed. Other sessions were signed out."))
            } catch let error as WebError where error.code == .forbidden {
                check.fail("current", "The current password is wrong.")
            }
        }
        check.forget("current", "password", "confirm")
        return try request.page("account/password", title: "Change password", ["form": check.context], status: 422)
    }

    /// The client's address, or a 429 when it failed too often lately.
    private static func checkRate(_ request: WebRequest, _ services: WebServices) throws(WebError) -> String {
        let address = request.raw.clientAddress ?? "unknown"
        if let seconds = services.limiter.retryAfter(for: address) {
            throw WebError(.tooManyRequests,
                           "too many failed attempts from your address; try again in \(Format.duration(.seconds(seconds)))",
                           headers: [("Retry-After", String(seconds))])
        }
        return address
    }

    /// Replaces the session with a new, signed-in one (so an id known before sign-in is worthless) and goes on.
    private static func signIn(_ request: WebRequest, _ services: WebServices, address: String, flash: Flash?) throws
        -> Response
    {
        services.limiter.reset(address)
        if let old = request.session { try services.sessions.delete(old) }
        let session = try services.sessions.create(authenticated: true)
        if let flash { try services.sessions.setFlash(flash, in: session) }
        var response = Response.redirect(to: safeLocalPath(request.form["next"]) ?? services.configuration.homePath)
        response.headers.add("Set-Cookie", services.cookie(for: session))
        return response
    }

    /// `path` when it is a path on this site ("/vaults"), nil otherwise ("//evil.example", "https://…").
    static func safeLocalPath(_ path: String?) -> String? {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"),
              !path.unicodeScalars.contains(where: { $0.value < 0x20 })
        else { return nil }
        return path
    }

    /// Percent-encodes everything but unreserved characters and `/`, for a path inside a query value.
    static func percentEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let character = Character(Unicode.Scalar(byte))
            if byte < 0x80, character.isLetter || character.isNumber || "-._~/".contains(character) {
                result.append(character)
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
