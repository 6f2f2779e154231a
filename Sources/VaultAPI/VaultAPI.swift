/// VaultAPI owns the vault's machine API (docs/vault-api.md): routing /api/v1 requests to the vault service,
/// authenticating machines, validating JSON and uploads, and answering every error as JSON with its code.
import Foundation
import HTTPServer
import ObjectStore
import Vault
import VaultProtocol

/// The HTTP face of `VaultService` for agents. Requests outside `/api/v1` answer 404 JSON; the composition
/// root mounts the portal in front of it.
public struct VaultAPI: Sendable {
    public let service: VaultService
    let limiter: AuthFailureLimiter

    /// The largest JSON body accepted: a commit names every pack and index of a point (70 bytes each).
    static let maxJSONBody = 64 << 20

    /// - Parameters:
    ///   - service: the vault service.
    ///   - maxAuthFailures: failed authentications (and wrong PINs) allowed per client address within `windowSeconds`
    ///     before it gets `429 rate_limited`.
    public init(service: VaultService, maxAuthFailures: Int = 10, windowSeconds: Int = 60) {
        self.service = service
        limiter = AuthFailureLimiter(maxFailures: maxAuthFailures, windowSeconds: TimeInterval(windowSeconds), clock: service.clock)
    }

    /// Whether a path belongs to the API (so a composition root can send everything else to the portal).
    /// The request body the HTTP server must accept for this API: the largest object the vault stores, and at
    /// least 64 MiB, so a pack that passes its 16 MiB target by one blob is never cut off before the API sees it.
    public var maxBodySize: Int { max(service.configuration.maxObjectSize, 64 << 20) }

    public static func handles(path: String) -> Bool {
        path == VaultAPIPath.prefix || path.hasPrefix(VaultAPIPath.prefix + "/")
    }

    /// Answers one request; never throws, never answers 500 for bad input.
    public func handle(_ request: Request) async -> Response {
        let address = request.clientAddress ?? "unknown"
        if let until = limiter.blockedUntil(address) {
            let seconds = max(1, Int(until.timeIntervalSince(service.clock()).rounded(.up)))
            var response = Self.error(VaultError(.rateLimited, "too many failed authentications from \(address); "
                + "wait \(seconds) seconds and check the machine credential or PIN"))
            response.headers.add("Retry-After", "\(seconds)")
            return response
        }
        do {
            return try route(request)
        } catch let error as VaultError {
            if error.code.httpStatus == 401 || error.code == .pinInvalid { limiter.recordFailure(address) }
            return Self.error(error)
        } catch {
            return Self.error(VaultError(.internalError, "the vault failed: \(error)"))
        }
    }

    private func route(_ request: Request) throws -> Response {
        guard Self.handles(path: request.path) else {
            throw VaultError(.notFound, "no such path \(request.path.prefix(200)); the vault API lives under \(VaultAPIPath.prefix)")
        }
        let parts = request.path.dropFirst(VaultAPIPath.prefix.count).split(separator: "/", omittingEmptySubsequences: false)
            .dropFirst().map(String.init)
        switch (request.method, parts.first) {
        case ("POST", "register") where parts.count == 1:
            return try register(request)
        case (_, "register") where parts.count == 1:
            throw Self.methodNotAllowed(request, allowed: "POST")
        case (_, "machines"):
            let caller = try authenticate(request)
            return try routeMachines(request, caller: caller, parts: Array(parts.dropFirst()))
        default:
            throw VaultError(.notFound, "no such endpoint \(request.path.prefix(200)); see docs/vault-api.md")
        }
    }

    private func routeMachines(_ request: Request, caller: AuthenticatedMachine, parts: [String]) throws -> Response {
        guard let machine = parts.first else {
            guard request.method == "GET" else { throw Self.methodNotAllowed(request, allowed: "GET") }
            return try listMachines(caller)
        }
        let rest = Array(parts.dropFirst())
        switch (request.method, rest.first) {
        case ("DELETE", nil): return try unregister(caller, machine: machine)
        case (_, nil): throw Self.methodNotAllowed(request, allowed: "DELETE")
        case ("GET", "items") where rest.count == 1: return try items(caller, machine: machine)
        case (_, "objects"): return try routeObjects(request, caller: caller, machine: machine, parts: Array(rest.dropFirst()))
        case (_, "leases"): return try routeLeases(request, caller: caller, machine: machine, parts: Array(rest.dropFirst()))
        case ("POST", "recovery-points") where rest.count == 1: return try commit(request, caller: caller, machine: machine)
        case ("GET", "recovery-points") where rest.count == 1: return try listPoints(request, caller: caller, machine: machine)
        case ("GET", "policy") where rest.count == 1: return try policy(caller, machine: machine)
        case ("PUT", "policy") where rest.count == 1: return try setPolicy(request, caller: caller, machine: machine)
        case ("POST", "stop-protection") where rest.count == 1: return try stopProtection(request, caller: caller, machine: machine)
        case (_, let name?) where rest.count == 1 && ["items", "recovery-points", "policy", "stop-protection"].contains(name):
            throw Self.methodNotAllowed(request, allowed: "see docs/vault-api.md")
        default:
            throw VaultError(.notFound, "no such endpoint \(request.path.prefix(200)); see docs/vault-api.md")
        }
    }

    static func methodNotAllowed(_ request: Request, allowed: String) -> VaultError {
        VaultError(.methodNotAllowed, "\(request.method.prefix(16)) is not allowed on \(request.path.prefix(200)) (allowed: \(allowed))")
    }
}
