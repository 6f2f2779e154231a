/// Router owns the table of routes: method + path pattern → page handler, with 404 and 405 answers.
import HTTPServer

/// Answers one routed request.
public typealias PageHandler = @Sendable (WebRequest) async throws -> Response

/// An ordered list of routes; the first route whose method and pattern match wins.
///
/// `HEAD` is answered by the `GET` route. A path that matches some route but not with this method
/// gives `methodNotAllowed` with the methods that would have matched (for the `Allow` header).
public struct Router: Sendable {
    struct Route: Sendable {
        let method: String
        let pattern: RoutePattern
        let handler: PageHandler
    }

    /// The outcome of looking a request up.
    public enum Match: Sendable {
        case found(PageHandler, parameters: [String: String])
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route.
    /// - Parameters:
    ///   - method: e.g. "GET", "POST".
    ///   - pattern: e.g. "/vaults/:name"; see `RoutePattern`.
    ///   - handler: what answers it.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping PageHandler) {
        routes.append(Route(method: method.uppercased(), pattern: RoutePattern(pattern), handler: handler))
    }

    /// Adds a GET route (which also answers HEAD).
    public mutating func get(_ pattern: String, _ handler: @escaping PageHandler) { add("GET", pattern, handler) }
    /// Adds a POST route.
    public mutating func post(_ pattern: String, _ handler: @escaping PageHandler) { add("POST", pattern, handler) }
    /// Adds a PUT route.
    public mutating func put(_ pattern: String, _ handler: @escaping PageHandler) { add("PUT", pattern, handler) }
    /// Adds a DELETE route.
    public mutating func delete(_ pattern: String, _ handler: @escaping PageHandler) { add("DELETE", pattern, handler) }

    /// Adds every route of `other` after this router's own.
    public mutating func merge(_ other: Router) { routes += other.routes }

    /// Finds the route for a method and a (percent-decoded) path.
    public func match(method: String, path: String) -> Match {
        let method = method.uppercased()
        var allowed: [String] = []
        for route in routes {
            guard let parameters = route.pattern.match(path) else { continue }
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                return .found(route.handler, parameters: parameters)
            }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        if allowed.contains("GET"), !allowed.contains("HEAD") { allowed.append("HEAD") }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }
}
