/// What a Client sends.

extension Client {
    /// One HTTP request.
    public struct Request: Sendable {
        /// The method, e.g. "GET" or "PUT".
        public var method: String
        /// The absolute URL, e.g. "https://vault.example:8443/objects/ab12".
        public var url: String
        /// Header fields to send, in order.
        public var headers: [(name: String, value: String)]
        /// The body; sent with a Content-Length when not empty.
        public var body: [UInt8]
        /// Overrides `Configuration.timeout` for this request.
        public var timeout: Duration?

        /// - Parameters:
        ///   - method: the method; "GET" by default.
        ///   - url: the absolute URL.
        ///   - headers: header fields to send.
        ///   - body: the body bytes.
        public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
        }
    }
}
