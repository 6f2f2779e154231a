/// SecurityHeaders owns the headers every portal response carries (CSP, framing, sniffing, referrer, caching).
import HTTPServer

/// Adds the portal's security headers to responses.
public enum SecurityHeaders {
    /// Scripts and styles from the portal itself only, never inline; no framing, no plugins, forms post home.
    public static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    /// Sets the headers on `response`; `cacheable` keeps a static file's own Cache-Control instead of `no-store`.
    public static func apply(to response: inout Response, cacheable: Bool) {
        response.headers["Content-Security-Policy"] = contentSecurityPolicy
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if !cacheable || response.headers["Cache-Control"] == nil {
            response.headers["Cache-Control"] = "no-store"
        }
    }
}
