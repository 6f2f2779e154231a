/// Why a server could not start.

/// A failure to start the HTTP server.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: Hashable, Sendable {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The address is not a valid IPv4 address.
        public static let invalidAddress = Code("invalidAddress")
        /// libmicrohttpd refused to start: port in use, permission, or bad TLS certificate/key.
        public static let startFailed = Code("startFailed")
        /// This libmicrohttpd was built without TLS.
        public static let tlsUnsupported = Code("tlsUnsupported")
    }

    /// The kind of failure.
    public let code: Code
    /// What happened and what to do.
    public let message: String

    public var description: String { message }
}
