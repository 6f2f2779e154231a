/// Cookies owns reading the Cookie header and writing Set-Cookie values with the portal's flags.
import Foundation

/// Reads and writes cookies.
public enum Cookies {
    /// The cookies a request sent, by name (the first of repeated names wins).
    public static func parse(_ header: String?) -> [String: String] {
        guard let header else { return [:] }
        var cookies: [String: String] = [:]
        for pair in header.split(separator: ";") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = Substring(pair[..<equals]).trimmed
            var value = Substring(pair[pair.index(after: equals)...]).trimmed
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            if !name.isEmpty, cookies[name] == nil { cookies[name] = value }
        }
        return cookies
    }

    /// A Set-Cookie value: `HttpOnly; SameSite=Strict; Path=/`, plus `Secure` over TLS.
    /// - Parameters:
    ///   - name: the cookie name.
    ///   - value: the value (cookie-safe characters only: session ids are hex).
    ///   - secure: adds `Secure`.
    ///   - maxAge: seconds until the browser drops it; nil for a browser-session cookie, 0 to delete it.
    public static func setCookie(name: String, value: String, secure: Bool, maxAge: Int? = nil) -> String {
        var parts = ["\(name)=\(value)", "Path=/", "HttpOnly", "SameSite=Strict"]
        if secure { parts.append("Secure") }
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        return parts.joined(separator: "; ")
    }
}
