/// A portal on the real HTTP server on loopback, with a real SQLite file and a copy of the real templates.
import Foundation
import HTTPServer
import PortalTesting
import SQLiteDB
import Web

/// One running portal per test: its own folder, database, clock and server.
///
/// `@unchecked Sendable`: every stored property is immutable after `init`.
final class TestPortal: @unchecked Sendable {
    static let password = "correct horse battery"

    let directory: String
    let resources: Resources
    let database: Database
    let clock = TestClock()
    let app: WebApp
    let server: Server
    let base: String
    let setupToken: String

    init(configure: (inout WebApp.Configuration) -> Void = { _ in }, routes extra: (inout Router) -> Void = { _ in })
        throws
    {
        directory = NSTemporaryDirectory() + "web-tests-" + UUID().uuidString
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try manager.copyItem(atPath: checkout + "/templates", toPath: directory + "/templates")
        try manager.copyItem(atPath: checkout + "/Public", toPath: directory + "/Public")
        try manager.createDirectory(atPath: directory + "/templates/test", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: directory + "/docs", withIntermediateDirectories: true)
        for (name, text) in Self.templates {
            try Data(text.utf8).write(to: URL(fileURLWithPath: "\(directory)/templates/test/\(name).mustache"))
        }
        try Data("# The *vault* API\n\nObjects are <b>written</b> once.\n".utf8)
            .write(to: URL(fileURLWithPath: directory + "/docs/vault-api.md"))
        try Data("# User guide\n\nStart here.\n".utf8).write(to: URL(fileURLWithPath: directory + "/docs/user-guide.md"))
        resources = Resources(root: directory)
        database = try Database(path: directory + "/portal.sqlite")
        try WebStore.migrate(database)

        var configuration = WebApp.Configuration(
            productName: "Haven Test", cookieName: "haven_test_session",
            navigation: [.init("Home", path: "/"), .init("Vaults", path: "/vaults")])
        configuration.unauthenticatedPrefixes = ["/api/"]
        configure(&configuration)
        var router = Router()
        Self.addRoutes(&router)
        extra(&router)
        app = try WebApp(configuration: configuration, resources: resources, database: database, router: router,
                         hasher: PasswordHasher(logN: 4, r: 1, p: 1), clock: clock.read)
        setupToken = try app.prepareSetup() ?? ""
        server = try Server(configuration: Server.Configuration(), handler: app.handler)
        base = "http://127.0.0.1:\(server.port)"
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A browser that completed setup (or, after the first, signed in) and is signed in.
    func signedIn() async throws -> Browser {
        let browser = Browser(base: base)
        if try app.account.hasPassword() {
            let csrf = try await browser.csrfToken(from: "/login")
            let response = try await browser.post("/login", [("_csrf", csrf), ("password", Self.password)])
            precondition(response.status == 303, "sign-in failed: \(response.status) \(response.text)")
            return browser
        }
        let page = try await browser.get("/setup")
        let response = try await browser.post("/setup", [
            ("_csrf", Browser.csrfToken(in: page.text) ?? ""), ("token", setupToken),
            ("password", Self.password), ("confirm", Self.password),
        ])
        precondition(response.status == 303, "setup failed: \(response.status) \(response.text)")
        return browser
    }

    static let templates: [String: String] = [
        "home": "<h1>{{title}}</h1><p id=\"home\">Welcome home</p>",
        "echo": "<p id=\"echo\">{{text}}</p><p id=\"raw\">{{{html}}}</p>",
        "form": """
            {{>partials/form-errors}}<form method="post" action="/form">{{>partials/csrf}}
            <input name="name" value="{{form.values.name}}">{{#form.errors.name}}<p class="field-error">{{.}}</p>{{/form.errors.name}}
            </form>
            """,
    ]

    static func addRoutes(_ router: inout Router) {
        router.get("/") { request in try request.page("test/home", title: "Home") }
        router.get("/echo") { request in
            try request.page("test/echo", title: "Echo", ["text": request.query("text") ?? "", "html": "<em>trusted</em>"])
        }
        router.get("/vaults/:name/files/*path") { request in
            .text("vault=\(try request.parameter("name")) path=\(try request.parameter("path"))")
        }
        router.post("/upload") { request in
            guard let file = request.form.file("credentials") else { throw WebError.badRequest("choose a file") }
            return .text("file=\(file.filename) bytes=\(file.bytes.count) note=\(request.form["note"] ?? "")")
        }
        router.post("/form") { request in
            var check = FormValidation(request.form)
            let name = check.required("name", "Give it a name.")
            check.expect((name?.count ?? 0) <= 5, "name", "Use at most 5 characters.")
            guard check.isValid else { return try request.page("test/form", title: "Form", ["form": check.context], status: 422) }
            return try request.redirect(to: "/", flash: .success("Saved \(name ?? "").")) 
        }
        router.get("/boom") { _ in throw TestFailure(secret: "database password is hunter2") }
        router.get("/api/ping") { _ in .text("pong") }
        router.post("/api/echo") { request in .text("api got \(request.raw.body.count) bytes") }
    }
}

struct TestFailure: Error {
    let secret: String
}
