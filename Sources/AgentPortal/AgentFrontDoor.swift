/// AgentFrontDoor owns the one handler `haven agent serve` listens with: the JSON API for /api/, the portal for every other path.
import HTTPServer

/// Routes a request to the JSON API or to the portal.
///
/// The API authenticates each request with its token; the portal's sign-in never applies to /api/.
public struct AgentFrontDoor: Sendable {
    /// The portal answering every path outside /api/.
    public let portal: AgentPortal

    /// - Parameter portal: the portal (its service also backs the API).
    public init(portal: AgentPortal) {
        self.portal = portal
    }

    /// Answers one request; never throws.
    public func handle(_ request: Request) async -> Response {
        if request.path == "/api" || request.path.hasPrefix("/api/") {
            return Response(status: 404, headers: ["Content-Type": "application/json"],
                            body: Array(#"{"error":{"code":"notFound","message":"the JSON API is not part of this build yet; use the portal"}}"#.utf8))
        }
        return await portal.handle(request)
    }
}
