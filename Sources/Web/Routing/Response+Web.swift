/// Response+Web owns the responses pages return besides rendered pages: redirects, HTML, downloads.
import HTTPServer

extension Response {
    /// A 303 See Other to `location` (the browser follows with GET, so a form is never submitted twice).
    public static func redirect(to location: String) -> Response {
        Response(status: 303, headers: ["Location": location, "Content-Type": "text/plain; charset=utf-8"],
                 body: Array("See \(location)\n".utf8))
    }

    /// An HTML response from a string that is already HTML.
    public static func html(_ html: String, status: Int = 200) -> Response {
        Response(status: status, headers: ["Content-Type": "text/html; charset=utf-8"], body: Array(html.utf8))
    }

    /// A file the browser saves rather than shows, e.g. a `.VaultCredentials` file.
    /// - Parameters:
    ///   - bytes: the content.
    ///   - filename: the suggested name; characters outside `A-Za-z0-9._-` become `_`.
    ///   - contentType: the media type; `application/octet-stream` by default.
    public static func download(_ bytes: [UInt8], filename: String, contentType: String = "application/octet-stream")
        -> Response
    {
        let safe = String(filename.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        return Response(
            status: 200,
            headers: ["Content-Type": contentType, "Content-Disposition": "attachment; filename=\"\(safe)\""],
            body: bytes)
    }
}
