/// What a handler returns: status, headers and a body of bytes or of a file streamed from a descriptor.

/// One HTTP response.
public struct Response: Sendable {
    /// Where the body comes from.
    public enum Body: Sendable {
        /// Bytes held in memory.
        case bytes([UInt8])
        /// `length` bytes read from `descriptor` starting at `offset`, streamed (sendfile over plain HTTP).
        ///
        /// The server takes ownership of the descriptor and closes it once the response is sent or dropped.
        case file(descriptor: Int32, offset: UInt64, length: UInt64)
    }

    /// The status code, e.g. 200.
    public var status: Int
    /// Response headers. `Content-Length` is computed by the server; do not set it.
    public var headers: HTTPHeaders
    /// The body.
    public var body: Body

    /// - Parameters:
    ///   - status: the status code; 200 by default.
    ///   - headers: the response headers.
    ///   - body: the body bytes.
    public init(status: Int = 200, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = .bytes(body)
    }

    /// A response streaming part of an open file; the server closes `descriptor` when done.
    /// - Parameters:
    ///   - descriptor: an open, readable file descriptor; ownership passes to the server.
    ///   - offset: where to start reading.
    ///   - length: how many bytes to send.
    ///   - status: the status code; 200 by default.
    ///   - headers: the response headers.
    public init(fileDescriptor descriptor: Int32, offset: UInt64 = 0, length: UInt64, status: Int = 200,
                headers: HTTPHeaders = [:]) {
        self.status = status
        self.headers = headers
        self.body = .file(descriptor: descriptor, offset: offset, length: length)
    }

    /// A UTF-8 text response.
    /// - Parameters:
    ///   - text: the body.
    ///   - status: the status code; 200 by default.
    ///   - contentType: the media type; `text/plain; charset=utf-8` by default.
    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8")
        -> Response
    {
        Response(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// The generic 500 sent when a handler throws; it reveals nothing about the error.
    static let internalServerError = Response.text("Internal server error\n", status: 500)

    /// The 413 sent when a body exceeds `Configuration.maxBodySize`.
    static func payloadTooLarge(limit: Int) -> Response {
        .text("Request body too large: the limit is \(limit) bytes\n", status: 413)
    }
}
