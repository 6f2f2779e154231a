/// First-run setup with the one-time token, password rules, sign-in, sign-out and the sign-in requirement, over real HTTP.
import Foundation
import HTTPClient
import PortalTesting
import Testing
import Web

@Suite("Setup and sign-in")
struct SetupAndSignInTests {
    @Test("the setup token sets the password once and then stops working")
    func setupTokenWorksOnce() async throws {
        let portal = try TestPortal()
        #expect(portal.setupToken.count == 32)
        let browser = try await portal.signedIn()
        #expect(try await browser.get("/").status == 200)
        #expect(try portal.app.prepareSetup() == nil)

        let other = Browser(base: portal.base)
        let setup = try await other.get("/setup")
        #expect(setup.status == 303)
        let token = try await other.csrfToken(from: "/login")
        let again = try await other.post("/setup", [
            ("_csrf", token), ("token", portal.setupToken), ("password", "another password 123"), ("confirm", "another password 123"),
        ])
        #expect(again.status == 303)
        #expect(again.header("Location") == "/login")
        #expect(try portal.app.account.verify(password: TestPortal.password))
        #expect(try !portal.app.account.verify(password: "another password 123"))
    }

    @Test("a wrong setup token, a short password or a mismatched confirmation re-render the form with reasons")
    func passwordRules() async throws {
        let portal = try TestPortal()
        let browser = Browser(base: portal.base)
        let csrf = try await browser.csrfToken(from: "/setup")

        let wrongToken = try await browser.post("/setup", [
            ("_csrf", csrf), ("token", String(repeating: "0", count: 32)), ("password", TestPortal.password),
            ("confirm", TestPortal.password),
        ])
        #expect(wrongToken.status == 422)
        #expect(wrongToken.text.contains("This setup token is not valid"))
        #expect(wrongToken.text.contains("value=\"00000000000000000000000000000000\""))
        #expect(!wrongToken.text.contains(TestPortal.password))

        let short = try await browser.post("/setup", [
            ("_csrf", csrf), ("token", portal.setupToken), ("password", "short pass"), ("confirm", "short pass"),
        ])
        #expect(short.status == 422)
        #expect(short.text.contains("Use at least 12 characters."))

        let mismatch = try await browser.post("/setup", [
            ("_csrf", csrf), ("token", portal.setupToken), ("password", TestPortal.password), ("confirm", "something else!!"),
        ])
        #expect(mismatch.status == 422)
        #expect(mismatch.text.contains("The two passwords differ."))
        #expect(try !portal.app.account.hasPassword())
    }

    @Test("pages need a signed-in session: before setup they lead to /setup, after it to /login with the page asked for")
    func signInRequired() async throws {
        let portal = try TestPortal()
        let visitor = Browser(base: portal.base)
        #expect(try await visitor.get("/vaults/a/files/b").header("Location") == "/setup")
        _ = try await portal.signedIn()
        let redirect = try await visitor.get("/vaults/a/files/b")
        #expect(redirect.status == 303)
        #expect(redirect.header("Location") == "/login?next=/vaults/a/files/b")
        let post = try await visitor.post("/form", [("name", "x")])
        #expect(post.status == 303)
        #expect(post.header("Location") == "/login")
    }

    @Test("signing in takes the visitor to the page asked for with a new session id; a wrong password does not")
    func signInAndOut() async throws {
        let portal = try TestPortal()
        _ = try await portal.signedIn()
        let browser = Browser(base: portal.base)
        let csrf = try await browser.csrfToken(from: "/login?next=/echo")
        let anonymousID = browser.cookies["haven_test_session"]

        let wrong = try await browser.post("/login", [("_csrf", csrf), ("password", "not the password"), ("next", "/echo")])
        #expect(wrong.status == 422)
        #expect(wrong.text.contains("Wrong password."))
        #expect(try await browser.get("/echo").status == 303)

        let right = try await browser.post("/login", [("_csrf", csrf), ("password", TestPortal.password), ("next", "/echo")])
        #expect(right.status == 303)
        #expect(right.header("Location") == "/echo")
        #expect(browser.cookies["haven_test_session"] != anonymousID)
        #expect(try await browser.get("/echo").status == 200)

        let home = try await browser.get("/")
        let signOut = try await browser.post("/logout", [("_csrf", Browser.csrfToken(in: home.text) ?? "")])
        #expect(signOut.status == 303)
        #expect(signOut.header("Location") == "/login")
        let login = try await browser.get("/login")
        #expect(login.text.contains("You are signed out."))
        #expect(try await browser.get("/echo").status == 303)
    }

    @Test("an address outside this site is never a destination after sign-in")
    func noOpenRedirect() async throws {
        let portal = try TestPortal()
        _ = try await portal.signedIn()
        let browser = Browser(base: portal.base)
        let csrf = try await browser.csrfToken(from: "/login")
        let response = try await browser.post("/login", [
            ("_csrf", csrf), ("password", TestPortal.password), ("next", "//evil.example/steal"),
        ])
        #expect(response.header("Location") == "/")
    }

    @Test("the session cookie is HttpOnly, SameSite=Strict, Path=/ and Secure only over TLS")
    func cookieFlags() async throws {
        let portal = try TestPortal()
        let browser = try await portal.signedIn()
        let cookie = try #require(browser.setCookies.last)
        #expect(cookie.hasPrefix("haven_test_session="))
        #expect(cookie.contains("; HttpOnly"))
        #expect(cookie.contains("; SameSite=Strict"))
        #expect(cookie.contains("; Path=/"))
        #expect(!cookie.contains("Secure"))
        let value = try #require(browser.cookies["haven_test_session"])
        #expect(value.count == 64)

        let secure = try TestPortal { $0.secure = true }
        let visitor = Browser(base: secure.base)
        _ = try await visitor.get("/login")
        let secureCookie = try #require(visitor.setCookies.last)
        #expect(secureCookie.hasPrefix("__Host-haven_test_session="))
        #expect(secureCookie.contains("; Secure"))
    }

    @Test("changing the password signs out every other session")
    func changePassword() async throws {
        let portal = try TestPortal()
        let first = try await portal.signedIn()
        let second = Browser(base: portal.base)
        let csrf = try await second.csrfToken(from: "/login")
        _ = try await second.post("/login", [("_csrf", csrf), ("password", TestPortal.password)])
        #expect(try await second.get("/").status == 200)

        let form = try await first.csrfToken(from: "/account/password")
        let changed = try await first.post("/account/password", [
            ("_csrf", form), ("current", TestPortal.password), ("password", "a brand new password"), ("confirm", "a brand new password"),
        ])
        #expect(changed.status == 303)
        #expect(try await first.get("/").text.contains("Password changed."))
        #expect(try await second.get("/").status == 303)
        #expect(try portal.app.account.verify(password: "a brand new password"))
    }
}
