/// Route patterns, url-encoded and multipart parsing with their limits, and form validation, without a server.
import Testing
import Web

@Suite("Router and forms")
struct RouterAndFormTests {
    @Test("patterns capture :params and a trailing *rest, ignore a trailing slash and refuse partial matches")
    func patterns() {
        let pattern = RoutePattern("/vaults/:name/points/:id")
        #expect(pattern.match("/vaults/main/points/7") == ["name": "main", "id": "7"])
        #expect(pattern.match("/vaults/main/points/7/") == ["name": "main", "id": "7"])
        #expect(pattern.match("/vaults/main/points") == nil)
        #expect(pattern.match("/vaults//points/7") == nil)
        #expect(pattern.match("/vaults/main/points/7/extra") == nil)
        let rest = RoutePattern("/browse/*path")
        #expect(rest.match("/browse") == ["path": ""])
        #expect(rest.match("/browse/etc/ssh") == ["path": "etc/ssh"])
        #expect(RoutePattern("/").match("/") == [:])
        #expect(RoutePattern("/").match("/x") == nil)
    }

    @Test("the router finds the first matching route, answers HEAD with GET, and names allowed methods on 405")
    func routing() {
        var router = Router()
        router.get("/vaults") { _ in .text("list") }
        router.post("/vaults") { _ in .text("create") }
        router.delete("/vaults/:name") { _ in .text("delete") }
        if case .found(_, let parameters) = router.match(method: "DELETE", path: "/vaults/x") {
            #expect(parameters == ["name": "x"])
        } else {
            Issue.record("DELETE /vaults/x should match")
        }
        guard case .found = router.match(method: "HEAD", path: "/vaults") else {
            Issue.record("HEAD should use the GET route")
            return
        }
        guard case .methodNotAllowed(let allowed) = router.match(method: "PUT", path: "/vaults") else {
            Issue.record("PUT /vaults should be 405")
            return
        }
        #expect(allowed == ["GET", "POST", "HEAD"])
        guard case .notFound = router.match(method: "GET", path: "/nothing") else {
            Issue.record("/nothing should be 404")
            return
        }
    }

    @Test("url-encoded forms decode + and %XX, keep repeated names, and refuse bad escapes, bad UTF-8 and too much")
    func urlEncoded() throws {
        let form = try URLEncodedForm.parse(Array("name=My+vault%21&day=mon&day=fri&flag&empty=".utf8))
        #expect(form["name"] == "My vault!")
        #expect(form.values("day") == ["mon", "fri"])
        #expect(form["flag"] == "")
        #expect(form["empty"] == "")
        #expect(form["missing"] == nil)
        #expect(try URLEncodedForm.parse(Array("city=K%C3%B8benhavn".utf8))["city"] == "København")

        #expect(throws: WebError.badRequest("the form holds a malformed %-escape; submit it again from the page")) {
            try URLEncodedForm.parse(Array("a=%G1".utf8))
        }
        #expect(throws: WebError.self) { try URLEncodedForm.parse(Array("a=%4".utf8)) }
        #expect(throws: WebError.badRequest("the form holds text that is not valid UTF-8")) {
            try URLEncodedForm.parse(Array("a=%FF%FE".utf8))
        }
        let limits = FormLimits(maxParts: 2, maxFieldBytes: 4)
        #expect(throws: WebError.self) { try URLEncodedForm.parse(Array("a=1&b=2&c=3".utf8), limits: limits) }
        do {
            _ = try URLEncodedForm.parse(Array("a=12345".utf8), limits: limits)
            Issue.record("a 5-byte field passed a 4-byte limit")
        } catch {
            #expect(error.code == .payloadTooLarge)
        }
    }

    @Test("multipart bodies give fields and files; a part without a name or a missing boundary is refused")
    func multipart() throws {
        let body = Array("""
            preamble\r
            --b\r
            Content-Disposition: form-data; name="note"\r
            \r
            two\r
            lines\r
            --b\r
            Content-Disposition: form-data; name="file"; filename="a \\"quoted\\" name.txt"\r
            Content-Type: text/plain\r
            \r
            hello\r
            --b\r
            Content-Disposition: form-data; name="empty"; filename=""\r
            Content-Type: application/octet-stream\r
            \r
            \r
            --b--\r

            """.utf8)
        let form = try MultipartForm.parse(body, boundary: "b")
        #expect(form["note"] == "two\r\nlines")
        #expect(form.file("file") == FormData.File(fieldName: "file", filename: "a \"quoted\" name.txt", contentType: "text/plain", bytes: Array("hello".utf8)))
        #expect(form.file("empty") == nil)
        #expect(form.files.count == 2)

        let nameless = Array("--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--".utf8)
        #expect(throws: WebError.badRequest("a part of the multipart form has no field name")) {
            try MultipartForm.parse(nameless, boundary: "b")
        }
        #expect(throws: WebError.self) { try MultipartForm.parse(Array("no boundary at all".utf8), boundary: "b") }
        #expect(throws: WebError.self) { try MultipartForm.parse(body, boundary: "") }
        let big = Array("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n123456\r\n--b--".utf8)
        do {
            _ = try MultipartForm.parse(big, boundary: "b", limits: FormLimits(maxFileBytes: 5))
            Issue.record("a 6-byte file passed a 5-byte limit")
        } catch {
            #expect(error.code == .payloadTooLarge)
        }
    }

    @Test("validation keeps typed values, records the first message per field, and forgets secrets")
    func validation() {
        var check = FormValidation(FormData(fields: [("name", "  "), ("size", "12"), ("password", "secret")]))
        #expect(check.required("name", "Name it.") == nil)
        check.expect(false, "name", "Second message.")
        check.expect(true, "size", "Never shown.")
        check.forget("password")
        #expect(!check.isValid)
        #expect(check.errors == ["name": "Name it."])
        #expect(check.values == ["name": "  ", "size": "12"])
        let context = check.context
        #expect(context["hasErrors"] as? Bool == true)
        #expect(FormValidation(FormData(fields: [("a", "b")])).isValid)
    }
}
