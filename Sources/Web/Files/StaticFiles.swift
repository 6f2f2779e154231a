/// StaticFiles owns serving files from `Public/`: content types, ETag revalidation, and refusing paths that leave the folder.
import Foundation
import Glibc
import HTTPServer

/// Serves the files under one folder, read-only.
///
/// A request path is refused (404) when a segment is empty, `.`, `..` or hidden (starts with `.`), when
/// it holds a NUL or a backslash, or when the resolved file (after symlinks) lies outside the folder.
/// Responses carry `ETag` and `Last-Modified` with `Cache-Control: no-cache`, so browsers revalidate
/// and get 304 while a file is unchanged.
public struct StaticFiles: Sendable {
    /// The served folder, resolved (symlinks followed).
    public let root: String

    /// - Parameter directory: the folder to serve (usually `Resources.publicFiles`).
    public init(directory: String) {
        root = Self.resolve(directory) ?? directory
    }

    /// The response for `relativePath` (the part after `/static/`).
    /// - Throws: `WebError.notFound` for a refused or missing path.
    public func serve(_ relativePath: String, headers: HTTPHeaders) throws(WebError) -> Response {
        let segments = relativePath.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.isEmpty,
              segments.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("\0") && !$0.contains("\\") }),
              let resolved = Self.resolve(root + "/" + relativePath), resolved.hasPrefix(root + "/")
        else {
            throw .notFound("there is no file \(relativePath) here")
        }
        let descriptor = open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { throw .notFound("there is no file \(relativePath) here") }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw .notFound("there is no file \(relativePath) here")
        }
        let modified = Date(timeIntervalSince1970: Double(status.st_mtim.tv_sec))
        let etag = "\"\(String(status.st_size, radix: 16))-\(String(status.st_mtim.tv_sec, radix: 16))-\(String(status.st_mtim.tv_nsec, radix: 16))\""
        var responseHeaders: HTTPHeaders = [
            "Content-Type": Self.contentType(for: resolved), "ETag": etag,
            "Last-Modified": HTTPDate.format(modified), "Cache-Control": "no-cache",
        ]
        if let match = headers["If-None-Match"], match.split(separator: ",").contains(where: { Substring($0).trimmed == etag }) {
            close(descriptor)
            responseHeaders["Content-Type"] = nil
            return Response(status: 304, headers: responseHeaders)
        }
        return Response(fileDescriptor: descriptor, length: UInt64(status.st_size), headers: responseHeaders)
    }

    /// The media type for a file name's extension.
    public static func contentType(for path: String) -> String {
        let name = path.split(separator: "/").last ?? ""
        let ext = name.contains(".") ? String(name.split(separator: ".").last!).lowercased() : ""
        return types[ext] ?? "application/octet-stream"
    }

    private static let types: [String: String] = [
        "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "html": "text/html; charset=utf-8",
        "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8", "json": "application/json",
        "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "webp": "image/webp", "ico": "image/x-icon", "woff2": "font/woff2", "woff": "font/woff",
    ]

    /// The canonical path with symlinks resolved, or nil when it does not exist.
    static func resolve(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// HTTP dates (RFC 9110 IMF-fixdate), e.g. "Tue, 24 Nov 2026 18:00:00 GMT".
enum HTTPDate {
    static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
