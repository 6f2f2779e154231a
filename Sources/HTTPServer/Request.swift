/// What the server hands a handler: method, path, query, headers, body and the client's address.

/// One HTTP request, fully received (its body is at most `Configuration.maxBodySize` bytes).
public struct Request: Sendable {
    /// One `name=value` pair of the query string, percent-decoded; `value` is "" for `?flag`.
    public struct QueryItem: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The method as sent, e.g. "GET".
    public var method: String
    /// The path, percent-decoded by libmicrohttpd, without the query string, e.g. "/vaults/a b".
    public var path: String
    /// The query items in order; repeated names are kept.
    public var query: [QueryItem]
    /// The request headers.
    public var headers: HTTPHeaders
    /// The body bytes (empty when there is none).
    public var body: [UInt8]
    /// The client's IP address, e.g. "127.0.0.1", when known.
    public var clientAddress: String?

    public init(
        method: String, path: String, query: [QueryItem] = [], headers: HTTPHeaders = [:], body: [UInt8] = [],
        clientAddress: String? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.clientAddress = clientAddress
    }

    /// The value of the first query item called `name`.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}
