/// What a Client receives.

extension Client {
    /// One HTTP response, body fully read.
    public struct Response: Sendable {
        /// The status code, e.g. 200.
        public var status: Int
        /// The header fields of the final response, in order.
        public var headers: [(name: String, value: String)]
        /// The body bytes.
        public var body: [UInt8]
        /// True when the request went over a connection that was already open (keep-alive reuse).
        public var reusedConnection: Bool

        /// The first value of a header, matched case-insensitively.
        public func header(_ name: String) -> String? {
            let lowered = name.lowercased()
            return headers.first { $0.name.lowercased() == lowered }?.value
        }

        /// The body decoded as UTF-8.
        public var text: String { String(decoding: body, as: UTF8.self) }
    }
}
