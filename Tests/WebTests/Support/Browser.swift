/// A minimal browser for tests: keeps cookies, sends forms, reads CSRF tokens from pages; never follows redirects.
import Foundation
import HTTPClient

/// `@unchecked Sendable`: each test drives its browser from one task at a time.
final class Browser: @unchecked Sendable {
    let base: String
    let client = Client()
    /// Cookies by name, as the server last set them.
    var cookies: [String: String] = [:]
    /// The raw Set-Cookie values received, most recent last.
    var setCookies: [String] = []

    init(base: String) {
        self.base = base
    }

    func get(_ path: String, headers: [(name: String, value: String)] = []) async throws -> Client.Response {
        try await send(Client.Request(method: "GET", url: base + path, headers: headers))
    }

    func post(_ path: String, _ fields: [(String, String)], headers: [(name: String, value: String)] = []) async throws
        -> Client.Response
    {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(Client.Request(
            method: "POST", url: base + path,
            headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers, body: Array(body.utf8)))
    }

    func send(_ request: Client.Request) async throws -> Client.Response {
        var request = request
        if !cookies.isEmpty {
            request.headers.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")))
        }
        let response = try await client.send(request)
        for header in response.headers where header.name.lowercased() == "set-cookie" {
            setCookies.append(header.value)
            let pair = header.value.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { cookies[pair[0]] = pair[1] }
        }
        return response
    }

    /// Loads `page` and returns the CSRF token of its first form.
    func csrfToken(from page: String) async throws -> String {
        Self.csrfToken(in: try await get(page).text) ?? ""
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value="([0-9a-f]+)""#, options: .regularExpression) else { return nil }
        return String(html[range].split(separator: "\"")[3])
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
