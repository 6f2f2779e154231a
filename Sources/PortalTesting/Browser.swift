/// A minimal browser for the portals' tests (web, vault portal, agent portal): keeps cookies, posts url-encoded and
/// multipart forms, reads CSRF tokens; never follows redirects.
import Foundation
import HTTPClient

/// `@unchecked Sendable`: each test drives its browser from one task at a time.
public final class Browser: @unchecked Sendable {
    public let base: String
    public let client = Client()
    /// Cookies by name, as the server last set them.
    public var cookies: [String: String] = [:]
    /// The raw Set-Cookie values received, most recent last.
    public var setCookies: [String] = []

    public init(base: String) { self.base = base }

    public func get(_ path: String, headers: [(name: String, value: String)] = []) async throws -> Client.Response {
        try await send(Client.Request(method: "GET", url: base + path, headers: headers))
    }

    public func post(_ path: String, _ fields: [(String, String)], headers: [(name: String, value: String)] = []) async throws
        -> Client.Response
    {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(Client.Request(method: "POST", url: base + path,
                                             headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers,
                                             body: Array(body.utf8)))
    }

    /// Posts a form the way the page does: with the CSRF token of `page` (the page the form is on).
    public func submit(_ path: String, from page: String, _ fields: [(String, String)] = []) async throws -> Client.Response {
        try await post(path, [("_csrf", try await csrfToken(from: page))] + fields)
    }

    /// Posts a multipart form with one file, with the CSRF token of `page`.
    public func upload(_ path: String, from page: String, _ fields: [(String, String)],
                       file: (field: String, name: String, bytes: [UInt8])) async throws -> Client.Response {
        let boundary = "----haven-test-" + UUID().uuidString
        var body: [UInt8] = []
        for (name, value) in [("_csrf", try await csrfToken(from: page))] + fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\n"
            .utf8) + Array("Content-Type: application/octet-stream\r\n\r\n".utf8)
        body += file.bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        return try await send(Client.Request(method: "POST", url: base + path,
                                             headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: body))
    }

    public func send(_ request: Client.Request) async throws -> Client.Response {
        var request = request
        if !cookies.isEmpty { request.headers.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))) }
        let response = try await client.send(request)
        for header in response.headers where header.name.lowercased() == "set-cookie" {
            setCookies.append(header.value)
            let pair = header.value.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { cookies[pair[0]] = pair[1] }
        }
        return response
    }

    /// Loads `page` and returns the CSRF token of its first form.
    public func csrfToken(from page: String) async throws -> String {
        guard let token = Self.csrfToken(in: try await get(page).text) else { throw HarnessError("\(page) has no CSRF token") }
        return token
    }

    public static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value="([0-9a-f]+)""#, options: .regularExpression) else { return nil }
        return String(html[range].split(separator: "\"")[3])
    }

    public static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// A test harness's own failure, in words.
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Browser {
    /// A browser at `base` that has set the administrator password with the setup token (when none is set yet) or
    /// signed in with it.
    public static func signedIn(base: String, passwordIsSet: Bool, setupToken: String, password: String) async throws -> Browser {
        let browser = Browser(base: base)
        if passwordIsSet {
            let token = try await browser.csrfToken(from: "/login")
            let response = try await browser.post("/login", [("_csrf", token), ("password", password)])
            guard response.status == 303 else { throw HarnessError("sign-in answered \(response.status)") }
            return browser
        }
        let token = try await browser.csrfToken(from: "/setup")
        let response = try await browser.post("/setup", [("_csrf", token), ("token", setupToken), ("password", password),
                                                         ("confirm", password)])
        guard response.status == 303 else { throw HarnessError("setup answered \(response.status): \(response.text)") }
        return browser
    }
}
