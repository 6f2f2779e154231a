/// Pages in the layout, escaping, flash messages, form re-rendering, uploads, error pages, static files and help, over real HTTP.
import Foundation
import HTTPClient
import HTTPServer
import PortalTesting
import Testing
import Web

@Suite("Pages")
struct PageTests {
    @Test("a page is rendered in the layout with its title, the navigation marking the current page, and a CSRF token")
    func layout() async throws {
        let portal = try TestPortal()
        let browser = try await portal.signedIn()
        let home = try await browser.get("/")
        #expect(home.status == 200)
        #expect(home.header("Content-Type") == "text/html; charset=utf-8")
        #expect(home.text.contains("<title>Home · Haven Test</title>"))
        #expect(home.text.contains("<p id=\"home\">Welcome home</p>"))
        #expect(home.text.contains(#"<a href="/" class="current" aria-current="page">Home</a>"#))
        #expect(home.text.contains(#"<a href="/vaults">Vaults</a>"#))
        #expect(Browser.csrfToken(in: home.text)?.count == 64)
        #expect(home.text.contains("Password set. Welcome."))
        #expect(try await browser.get("/").text.contains("Password set. Welcome.") == false)
    }

    @Test("values are HTML-escaped unless the template asks for raw HTML")
    func escaping() async throws {
        let portal = try TestPortal()
        let browser = try await portal.signedIn()
        let page = try await browser.get("/echo?text=%3Cscript%3Ealert(%22x%22)%3C%2Fscript%3E%26")
        #expect(page.text.contains("<p id=\"echo\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;</p>"))
        #expect(!page.text.contains("<script>alert"))
        #expect(page.text.contains("<p id=\"raw\"><em>trusted</em></p>"))
    }

    @Test("a form that fails validation comes back with what was typed and the field's message")
    func formReRender() async throws {
        let portal = try TestPortal()
        let browser = try await portal.signedIn()
        let csrf = try await browser.csrfToken(from: "/")
        let invalid = try await browser.post("/form", [("_csrf", csrf), ("name", "toolong\"<")])
        #expect(invalid.status == 422)
        #expect(invalid.text.contains(#"<input name="name" value="toolong&quot;&lt;">"#))
        #expect(invalid.text.contains(#"<p class="field-error">Use at most 5 characters.</p>"#))
        let valid = try await browser.post("/form", [("_csrf", csrf), ("name", "ok")])
        #expect(valid.status == 303)
        #expect(try await browser.get("/").text.contains(#"<div class="flash flash-success" role="status">Saved ok.</div>"#))
    }

    @Test("a multipart upload reaches the page with its file and fields; a cut-short body is refused with 400")
    func multipartUpload() async throws {
        let portal = try TestPortal()
        let browser = try await portal.signedIn()
        let csrf = try await browser.csrfToken(from: "/")
        let content: [UInt8] = Array("{\"vault\":\"main\"}\r\n--not-the-boundary\r\n".utf8) + [0, 255, 13, 10]
        var body = Array("--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n".utf8)
        body += Array("--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nfirst machine\r\n".utf8)
        body += Array("--XyZ\r\nContent-Disposition: form-data; name=\"credentials\"; filename=\"C:\\\\Users\\\\me\\\\main_2026-11-24.VaultCredentials\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        body += content + Array("\r\n--XyZ--\r\n".utf8)
        let headers = [(name: "Content-Type", value: "multipart/form-data; boundary=XyZ")]
        let uploaded = try await browser.send(Client.Request(method: "POST", url: portal.base + "/upload", headers: headers, body: body))
        #expect(uploaded.status == 200)
        #expect(uploaded.text == "file=main_2026-11-24.VaultCredentials bytes=\(content.count) note=first machine")

        let truncated = Array(body.dropLast(12))
        let refused = try await browser.send(Client.Request(method: "POST", url: portal.base + "/upload", headers: headers, body: truncated))
        #expect(refused.status == 400)
        #expect(refused.text.contains("ends before its closing boundary"))
        #expect(refused.header("Content-Type") == "text/html; charset=utf-8")
    }

    @Test("unknown pages get 404, wrong methods 405 with Allow, and unexpected errors a 500 that hides their message")
    func errorPages() async throws {
        let logged = LogLines()
        let portal = try TestPortal { $0.errorLog = { logged.append($0) } }
        let browser = try await portal.signedIn()
        let missing = try await browser.get("/nowhere")
        #expect(missing.status == 404)
        #expect(missing.text.contains("there is no page at /nowhere"))
        #expect(missing.text.contains("<title>Not found · Haven Test</title>"))
        let wrongMethod = try await browser.get("/upload")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "POST")
        let boom = try await browser.get("/boom")
        #expect(boom.status == 500)
        #expect(!boom.text.contains("hunter2"))
        #expect(boom.text.contains("could not complete this request"))
        #expect(logged.lines == ["GET /boom failed: TestFailure(secret: \"database password is hunter2\")"])
    }

    @Test("static files are served with their type and ETag, revalidate to 304, and paths leaving Public/ are refused")
    func staticFiles() async throws {
        let portal = try TestPortal()
        let browser = Browser(base: portal.base)
        let css = try await browser.get("/static/css/haven.css")
        #expect(css.status == 200)
        #expect(css.header("Content-Type") == "text/css; charset=utf-8")
        #expect(css.text.contains(".topbar"))
        let etag = try #require(css.header("ETag"))
        #expect(try await browser.get("/static/css/haven.css", headers: [("If-None-Match", etag)]).status == 304)
        #expect(try await browser.get("/static/js/table-sort.js").header("Content-Type") == "text/javascript; charset=utf-8")

        try Data("secret".utf8).write(to: URL(fileURLWithPath: portal.directory + "/secret.txt"))
        try FileManager.default.createSymbolicLink(atPath: portal.directory + "/Public/escape.txt",
                                                   withDestinationPath: portal.directory + "/secret.txt")
        try Data("hidden".utf8).write(to: URL(fileURLWithPath: portal.directory + "/Public/.hidden"))
        for path in ["/static/%2E%2E/secret.txt", "/static/css/%2e%2e/%2e%2e/secret.txt", "/static/escape.txt",
                     "/static/.hidden", "/static/css", "/static/%2Fetc%2Fpasswd", "/static/css/haven.css/x"] {
            let response = try await browser.get(path)
            #expect(response.status == 404, "\(path)")
            #expect(!response.text.contains("secret") || response.text.contains("no file"), "\(path)")
        }
        // libmicrohttpd ends a path at a decoded NUL, so that case is checked without the server.
        let files = StaticFiles(directory: portal.resources.publicFiles)
        #expect(throws: WebError.self) { try files.serve("css/haven.css\0.txt", headers: [:]) }
        #expect(throws: WebError.self) { try files.serve("/etc/passwd", headers: [:]) }
        let served = try files.serve("css/haven.css", headers: [:])
        #expect(served.status == 200)
        if case .file(let descriptor, _, _) = served.body { close(descriptor) }
    }

    @Test("help lists docs/*.md by title and renders one with cmark, raw HTML omitted; unsafe names are 404")
    func helpPages() async throws {
        let portal = try TestPortal()
        let browser = try await portal.signedIn()
        let index = try await browser.get("/help")
        #expect(index.text.contains(#"<a href="/help/vault-api">The vault API</a>"#))
        #expect(index.text.contains(#"<a href="/help/user-guide">User guide</a>"#))
        let page = try await browser.get("/help/vault-api")
        #expect(page.text.contains("<title>The vault API · Haven Test</title>"))
        #expect(page.text.contains("<h1>The <em>vault</em> API</h1>"))
        #expect(!page.text.contains("<b>written</b>"))
        #expect(try await browser.get("/help/..%2Fsecret").status == 404)
        #expect(try await browser.get("/help/Vault-API").status == 404)
        #expect(try await browser.get("/help/missing").status == 404)
    }

    @Test("route parameters and a trailing rest segment reach the page")
    func routeParameters() async throws {
        let portal = try TestPortal()
        let browser = try await portal.signedIn()
        #expect(try await browser.get("/vaults/main/files/etc/ssh/sshd_config").text == "vault=main path=etc/ssh/sshd_config")
    }
}

/// Collects error log lines.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.withLock { stored } }
    func append(_ line: String) { lock.withLock { stored.append(line) } }
}
