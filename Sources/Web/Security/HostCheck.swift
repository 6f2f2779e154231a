/// HostCheck owns refusing requests whose Host header names a host the portal does not serve (DNS rebinding).

/// The host names (and optionally ports) a portal answers to.
///
/// A page that a hostile site makes the browser load through a rebound DNS name still carries that
/// name in `Host`; refusing unknown names keeps such pages from reading the portal.
public struct HostCheck: Sendable, Equatable {
    /// Allowed entries: `name` (any port) or `name:port`, lowercased; IPv6 in brackets, e.g. `[::1]`.
    public private(set) var allowed: Set<String>

    /// Loopback names by default, plus `extra` (e.g. "vault.example.com", "192.168.1.10:8443").
    public init(extra: [String] = []) {
        allowed = ["localhost", "127.0.0.1", "[::1]"]
        for entry in extra { allowed.insert(entry.lowercased()) }
    }

    /// Nil when `host` is allowed; otherwise the error to answer (400 without a Host, 421 for another name).
    public func check(_ host: String?) -> WebError? {
        guard let host, !host.isEmpty else {
            return .badRequest("the request has no Host header")
        }
        let (name, port) = Self.split(host.lowercased())
        if allowed.contains(name) || (port != nil && allowed.contains("\(name):\(port!)")) { return nil }
        return WebError(
            .misdirectedRequest,
            "this portal does not answer to the host name “\(host)”; open it by an address it is configured for, such as localhost")
    }

    /// Splits `name:port`, `[v6]:port`, `name`, removing a trailing dot from the name.
    static func split(_ host: String) -> (name: String, port: String?) {
        var name = host
        var port: String?
        if host.hasPrefix("[") {
            if let close = host.firstIndex(of: "]") {
                name = String(host[...close])
                let rest = host[host.index(after: close)...]
                if rest.hasPrefix(":") { port = String(rest.dropFirst()) }
            }
        } else if let colon = host.lastIndex(of: ":") {
            name = String(host[..<colon])
            port = String(host[host.index(after: colon)...])
        }
        if name.hasSuffix(".") { name.removeLast() }
        return (name, port)
    }
}
