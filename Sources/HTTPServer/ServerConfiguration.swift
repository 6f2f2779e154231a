/// The settings a server starts with: address, port, TLS, body and connection limits, timeouts.

extension Server {
    /// How a server listens and what it accepts.
    public struct Configuration: Sendable {
        /// The IPv4 address to listen on.
        public enum Address: Sendable, Equatable {
            /// 127.0.0.1 only: the default, reachable from this machine alone.
            case loopback
            /// 0.0.0.0: every interface.
            case any
            /// One IPv4 address in dotted form, e.g. "192.168.1.10".
            case ipv4(String)
        }

        /// A certificate chain and its private key, both PEM text.
        public struct TLS: Sendable {
            public var certificatePEM: String
            public var privateKeyPEM: String

            public init(certificatePEM: String, privateKeyPEM: String) {
                self.certificatePEM = certificatePEM
                self.privateKeyPEM = privateKeyPEM
            }
        }

        /// Where to listen; `.loopback` by default.
        public var address: Address = .loopback
        /// The TCP port; 0 picks a free one (read it from `Server.port`).
        public var port: UInt16 = 0
        /// When set, the server speaks HTTPS only.
        public var tls: TLS?
        /// The largest request body accepted; a larger declared `Content-Length` is answered 413
        /// before any of the body is read. A chunked body that grows past it aborts the connection.
        public var maxBodySize: Int = 16 << 20
        /// The most connections open at once (each has its own thread); more are refused.
        public var connectionLimit: Int = 64
        /// The most connections open at once from one IP address; 0 means no separate limit.
        public var perAddressConnectionLimit: Int = 0
        /// How long a connection may stay idle (waiting for a request or for the client to read)
        /// before it is closed. Whole seconds; at least 1.
        public var connectionTimeout: Duration = .seconds(30)
        /// How long `stop()` waits for requests in flight before closing their connections.
        public var shutdownGracePeriod: Duration = .seconds(10)

        /// - Parameters:
        ///   - address: where to listen; `.loopback` by default.
        ///   - port: the TCP port; 0 for an ephemeral one.
        ///   - tls: a certificate and key for HTTPS; nil for plain HTTP.
        public init(address: Address = .loopback, port: UInt16 = 0, tls: TLS? = nil) {
            self.address = address
            self.port = port
            self.tls = tls
        }
    }
}
