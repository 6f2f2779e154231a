/// CSRF, Host checking, security headers, session expiry and the sign-in rate limit, over real HTTP.
import Foundation
import HTTPClient
import PortalTesting
import Testing
import Web

@Suite("Security")
struct SecurityTests {
    @Test("a form posted without the CSRF token, or with another session's, is refused with 403; the header works too")
    func csrf() async throws {
        let portal = try TestPortal()
        let browser = try await portal.signedIn()
        let missing = try await browser.post("/form", [("name", "abc")])
        #expect(missing.status == 403)
        #expect(missing.text.contains("security token is missing or out of date"))

        let other = try await portal.signedIn()
        let foreign = try await other.csrfToken(from: "/")
        #expect(try await browser.post("/form", [("_csrf", foreign), ("name", "abc")]).status == 403)

        let own = try await browser.csrfToken(from: "/")
        #expect(own != foreign)
        #expect(try await browser.post("/form", [("_csrf", own), ("name", "abc")]).status == 303)
        #expect(try await browser.post("/form", [("name", "abc")], headers: [("X-CSRF-Token", own)]).status == 303)
    }

    @Test("a sign-in form posted without a session's token is refused")
    func loginNeedsCSRF() async throws {
        let portal = try TestPortal()
        _ = try await portal.signedIn()
        let browser = Browser(base: portal.base)
        let response = try await browser.post("/login", [("password", TestPortal.password)])
        #expect(response.status == 403)
        #expect(try await browser.get("/").status == 303)
    }

    @Test("a Host header naming another site (DNS rebinding) is refused with 421; configured names are served")
    func hostCheck() async throws {
        let portal = try TestPortal { $0.allowedHosts = ["backup.example.com"] }
        let browser = Browser(base: portal.base)
        let rebound = try await browser.get("/login", headers: [("Host", "evil.example:\(portal.server.port)")])
        #expect(rebound.status == 421)
        #expect(rebound.text.contains("does not answer to the host name"))
        #expect(try await browser.get("/static/css/haven.css", headers: [("Host", "evil.example")]).status == 421)
        #expect(try await browser.get("/setup", headers: [("Host", "localhost:\(portal.server.port)")]).status == 200)
        #expect(try await browser.get("/setup", headers: [("Host", "[::1]:\(portal.server.port)")]).status == 200)
        #expect(try await browser.get("/setup", headers: [("Host", "backup.example.com")]).status == 200)
        #expect(try await browser.get("/setup", headers: [("Host", "backup.example.com.evil.example")]).status == 421)
    }

    @Test("pages, error pages and static files carry the security headers; pages are never cached")
    func securityHeaders() async throws {
        let portal = try TestPortal()
        let browser = Browser(base: portal.base)
        for path in ["/login", "/no-such-page", "/static/css/haven.css"] {
            let response = try await browser.get(path)
            #expect(response.header("Content-Security-Policy")?.contains("default-src 'self'") == true, "\(path)")
            #expect(response.header("Content-Security-Policy")?.contains("unsafe-inline") == false, "\(path)")
            #expect(response.header("X-Frame-Options") == "DENY", "\(path)")
            #expect(response.header("X-Content-Type-Options") == "nosniff", "\(path)")
            #expect(response.header("Referrer-Policy") == "same-origin", "\(path)")
        }
        #expect(try await browser.get("/login").header("Cache-Control") == "no-store")
        #expect(try await browser.get("/static/css/haven.css").header("Cache-Control") == "no-cache")
    }

    @Test("a session ends after the idle timeout, and after its lifetime even when used")
    func sessionExpiry() async throws {
        let portal = try TestPortal {
            $0.sessionIdleTimeout = .seconds(600)
            $0.sessionLifetime = .seconds(3600)
        }
        let browser = try await portal.signedIn()
        portal.clock.advance(.seconds(590))
        #expect(try await browser.get("/").status == 200)
        portal.clock.advance(.seconds(590))
        #expect(try await browser.get("/").status == 200)
        portal.clock.advance(.seconds(601))
        #expect(try await browser.get("/").status == 303)

        let busy = try await portal.signedIn()
        for _ in 0..<7 {
            portal.clock.advance(.seconds(500))
            #expect(try await busy.get("/").status == 200)
        }
        portal.clock.advance(.seconds(500))
        let ended = try await busy.get("/")
        #expect(ended.status == 303)
        #expect(ended.header("Location") == "/login")
    }

    @Test("after 5 wrong passwords an address gets 429 with Retry-After, even with the right one, until the window passes")
    func rateLimit() async throws {
        let portal = try TestPortal()
        _ = try await portal.signedIn()
        let browser = Browser(base: portal.base)
        let csrf = try await browser.csrfToken(from: "/login")
        for _ in 0..<5 {
            #expect(try await browser.post("/login", [("_csrf", csrf), ("password", "guess guess guess")]).status == 422)
        }
        let blocked = try await browser.post("/login", [("_csrf", csrf), ("password", TestPortal.password)])
        #expect(blocked.status == 429)
        #expect(blocked.header("Retry-After") == "900")
        #expect(blocked.text.contains("too many failed attempts"))

        portal.clock.advance(.seconds(600))
        let still = try await browser.post("/login", [("_csrf", csrf), ("password", TestPortal.password)])
        #expect(still.header("Retry-After") == "300")
        portal.clock.advance(.seconds(301))
        let allowed = try await browser.post("/login", [("_csrf", csrf), ("password", TestPortal.password)])
        #expect(allowed.status == 303)
    }

    @Test("routes under an unauthenticated prefix answer without a session or CSRF token")
    func openPrefix() async throws {
        let portal = try TestPortal()
        let client = Client()
        let ping = try await client.send(Client.Request(url: portal.base + "/api/ping"))
        #expect(ping.text == "pong")
        let echo = try await client.send(Client.Request(method: "POST", url: portal.base + "/api/echo", body: [1, 2, 3]))
        #expect(echo.text == "api got 3 bytes")
    }
}
