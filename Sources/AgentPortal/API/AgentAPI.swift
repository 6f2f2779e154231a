/// AgentAPI owns the agent's JSON API under /api/v1 (docs/agent-api.md): bearer-token authentication with a
/// failure limit, routing, and the translation between JSON and `AgentService`.
import Agent
import Foundation
import HTTPServer
import Web

/// The HTTP face of `AgentService` for the CLI and scripts. The composition root sends every path that
/// `handles(path:)` accepts here and the rest to the portal.
public struct AgentAPI: Sendable {
    let service: AgentService
    let tokens: APITokens
    let limiter: LoginRateLimiter

    /// The largest JSON body accepted; the biggest request (a backup goal with many sources) stays far below it.
    static let maxBody = 1 << 20
    static let prefix = "/api/v1"

    /// - Parameters:
    ///   - service: the agent service.
    ///   - tokens: the API token to require.
    ///   - clock: the time, for the failure window only; the system clock by default.
    ///   - maxAuthFailures: failed authentications allowed per client address within `window` before 429.
    ///   - window: how long a failure counts.
    public init(service: AgentService, tokens: APITokens, clock: @escaping Clock = { Date() }, maxAuthFailures: Int = 10,
                window: Duration = .seconds(60)) {
        self.service = service
        self.tokens = tokens
        limiter = LoginRateLimiter(maxFailures: maxAuthFailures, window: window, clock: clock)
    }

    /// Whether a path belongs to the API: everything under /api/.
    public static func handles(path: String) -> Bool {
        path == "/api" || path.hasPrefix("/api/")
    }

    /// Answers one request; never throws, never answers 500 for bad input.
    public func handle(_ request: HTTPServer.Request) async -> HTTPServer.Response {
        let address = request.clientAddress ?? "unknown"
        if let seconds = limiter.retryAfter(for: address) {
            var response = Self.error(APIError(.rateLimited, "too many requests with a wrong API token from \(address); "
                + "wait \(seconds) seconds and use the token in the agent's state directory (api-token)"))
            response.headers.add("Retry-After", "\(seconds)")
            return response
        }
        guard authenticated(request) else {
            limiter.recordFailure(from: address)
            var response = Self.error(APIError(.unauthenticated, "this request needs `Authorization: Bearer TOKEN` with the agent's "
                + "API token, which the agent wrote to STATE/api-token (/var/lib/haven/agent/api-token by default)"))
            response.headers.add("WWW-Authenticate", "Bearer realm=\"haven-agent\"")
            return response
        }
        do {
            return try route(request)
        } catch let error as APIError {
            return Self.error(error)
        } catch let error as AgentError {
            return Self.error(APIError(error))
        } catch let error as GoalError {
            return Self.error(APIError(.invalidRequest, field: error.field, error.message))
        } catch let error as ScheduleError {
            return Self.error(APIError(.invalidRequest, field: "schedule", error.message))
        } catch {
            return Self.error(APIError(.internalError, "the agent failed: \(error)"))
        }
    }

    private func authenticated(_ request: HTTPServer.Request) -> Bool {
        guard let header = request.headers["Authorization"], header.count < 512 else { return false }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        return tokens.verify(parts[1].trimmingCharacters(in: .whitespaces))
    }

    private func route(_ request: HTTPServer.Request) throws -> HTTPServer.Response {
        guard request.path.hasPrefix(Self.prefix + "/") else {
            throw APIError(.notFound, "no such path \(request.path.prefix(200)); the agent API lives under \(Self.prefix) (see docs/agent-api.md)")
        }
        let parts = request.path.dropFirst(Self.prefix.count + 1).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for route in Self.routes {
            guard let parameters = route.match(parts) else { continue }
            guard let handler = route.methods[request.method] else {
                let allowed = route.methods.keys.sorted().joined(separator: ", ")
                var response = Self.error(APIError(.methodNotAllowed, "\(request.method.prefix(16)) is not allowed on "
                    + "\(request.path.prefix(200)) (allowed: \(allowed))"))
                response.headers.add("Allow", allowed)
                return response
            }
            return try handler(self, request, parameters)
        }
        throw APIError(.notFound, "no such endpoint \(request.path.prefix(200)); see docs/agent-api.md")
    }
}
