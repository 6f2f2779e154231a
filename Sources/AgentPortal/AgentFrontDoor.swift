/// AgentFrontDoor owns the one handler `haven agent serve` listens with: the JSON API for /api/, the portal for every other path.
import HTTPServer

/// Routes a request to the JSON API or to the portal.
///
/// The API authenticates each request with its bearer token; the portal's sign-in, sessions and CSRF never apply
/// to /api/, and the API never sees a portal path.
public struct AgentFrontDoor: Sendable {
    /// The portal answering every path outside /api/.
    public let portal: AgentPortal
    /// The JSON API under /api/v1.
    public let api: AgentAPI

    /// - Parameters:
    ///   - portal: the portal.
    ///   - api: the JSON API over the same service.
    public init(portal: AgentPortal, api: AgentAPI) {
        self.portal = portal
        self.api = api
    }

    /// Answers one request; never throws.
    public func handle(_ request: Request) async -> Response {
        if AgentAPI.handles(path: request.path) { return await api.handle(request) }
        return await portal.handle(request)
    }
}
