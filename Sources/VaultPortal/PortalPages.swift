/// PortalPages owns the vault portal's routing table: which page answers which path.
import HTTPServer
import Vault
import Web

/// The portal's pages over one service; each page lives in its own file as an extension.
struct PortalPages: Sendable {
    let service: VaultService
    let identity: VaultPortal.Identity

    /// Every route of the portal (the `Web` module adds sign-in, account and help).
    func router() -> Router {
        var router = Router()
        router.get("/") { _ in .redirect(to: "/vaults") }
        router.get("/vaults") { request in try vaultList(request) }
        router.post("/vaults") { request in try createVault(request) }
        router.get("/vaults/:vault") { request in try vaultPage(request) }
        router.post("/vaults/:vault/credentials") { request in try downloadCredentials(request) }
        router.post("/vaults/:vault/pin") { request in try generatePIN(request) }
        router.post("/vaults/:vault/undelete") { request in try undelete(request) }
        router.post("/vaults/:vault/maintenance") { request in try runMaintenance(request) }
        router.get("/vaults/:vault/servers/:server") { request in try serverPage(request) }
        router.get("/vaults/:vault/import-seed") { request in try seedPage(request) }
        router.post("/vaults/:vault/import-seed") { request in try importSeed(request) }
        router.get("/audit") { request in try auditPage(request) }
        return router
    }

    /// The vault a route names (by id or name), or a 404 page.
    func vault(_ request: WebRequest) throws -> VaultInfo {
        try serviceCall { try service.vault(try request.parameter("vault")) }
    }

    /// Runs a service call; refusals become pages with their reason (4xx), failures stay failures (500).
    func serviceCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as VaultError {
            throw Self.webError(error) ?? error
        }
    }

    /// The page a refusal of the service deserves, or nil when it is a failure of the vault itself.
    static func webError(_ error: VaultError) -> WebError? {
        switch error.code.httpStatus {
        case 404: .notFound(error.message)
        case 401, 403: .forbidden(error.message)
        case 400, 409, 413, 416, 428: .badRequest(error.message)
        case 429: WebError(.tooManyRequests, error.message)
        default: nil
        }
    }
}
