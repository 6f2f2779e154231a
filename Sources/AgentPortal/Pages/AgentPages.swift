/// AgentPages owns the agent portal's routing table and how the service's refusals become pages.
import Agent
import HTTPServer
import Web

/// The portal's pages over one service; each page lives in its own file as an extension.
struct AgentPages: Sendable {
    let service: AgentService
    /// The templates again, for fragments rendered without the layout (the job progress refresh.js fetches).
    let fragments: Views

    /// Every route of the portal (the `Web` module adds sign-in, account and help).
    func router() -> Router {
        var router = Router()
        router.get("/") { _ in .redirect(to: "/overview") }
        router.get("/overview") { request in try overviewPage(request) }
        router.get("/register") { request in try registerPage(request) }
        router.post("/register") { request in try register(request) }
        router.post("/register/passphrase") { request in try passphraseFile(request) }
        router.get("/schedule") { request in try schedulePage(request) }
        router.post("/schedule") { request in try saveSchedule(request) }
        router.get("/backup") { request in try backupNowPage(request) }
        router.post("/backup") { request in try backUpNow(request) }
        router.get("/jobs") { request in try jobsPage(request) }
        router.get("/jobs/:id") { request in try jobPage(request) }
        router.get("/jobs/:id/progress") { request in try jobProgressFragment(request) }
        router.post("/jobs/:id/cancel") { request in try cancelJob(request) }
        router.get("/recover") { request in try recoverStart(request) }
        router.post("/recover") { request in try recoverStep(request) }
        router.post("/recover/system-state") { request in try systemStatePage(request) }
        router.post("/recover/system-state/restore") { request in try systemStateRestore(request) }
        router.post("/recover/system-state/file") { request in try systemStateFile(request) }
        router.get("/settings") { request in try settingsPage(request) }
        router.post("/settings") { request in try saveSettings(request) }
        router.post("/settings/notifications") { request in try saveNotifications(request) }
        router.post("/settings/passphrase") { request in try changePassphrase(request) }
        router.post("/settings/unregister") { request in try unregister(request) }
        return router
    }

    /// Runs a service call; refusals become error pages with their reason (4xx), failures stay failures (500).
    func serviceCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as AgentError {
            throw Self.webError(error) ?? error
        }
    }

    /// The page a refusal of the service deserves, or nil when it is a failure of the agent itself.
    static func webError(_ error: AgentError) -> WebError? {
        switch error.code {
        case .notFound: .notFound(error.message)
        case .invalidInput, .alreadyRegistered, .notRegistered, .busy, .needsPIN: .badRequest(error.message)
        case .wrongPassphrase: .forbidden(error.message)
        case .vault: WebError(.badRequest, "the vault refused or could not be reached: \(error.message)")
        case .io: nil
        }
    }

    /// The registration, or nil; pages that need one show `notRegisteredPage` instead.
    func registration() -> RegistrationInfo? { service.registration() }

    /// The empty state of a page that needs a registered server.
    func notRegisteredPage(_ request: WebRequest, title: String) throws -> Response {
        try request.page("agent/not-registered", title: title, ["heading": title])
    }
}
