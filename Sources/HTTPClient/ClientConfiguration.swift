/// The settings a Client applies to every request.

extension Client {
    /// How a client connects.
    public struct Configuration: Sendable {
        /// Where requests go through.
        public enum Proxy: Sendable, Equatable {
            /// Whatever `http_proxy`, `https_proxy` and `no_proxy` in the environment say (libcurl's default).
            case environment
            /// Direct connections, ignoring the environment.
            case none
            /// This proxy, e.g. "http://proxy.example:3128" or "socks5h://127.0.0.1:1080".
            case url(String)
        }

        /// How long connecting (TCP and TLS) may take.
        public var connectTimeout: Duration = .seconds(10)
        /// How long a whole request may take, unless the request sets its own.
        public var timeout: Duration = .seconds(60)
        /// The largest response body accepted; larger ones fail with `.tooLarge` without being buffered.
        public var maxResponseSize: Int = 64 << 20
        /// The server's pinned public key: base64 of the SHA-256 of its DER SubjectPublicKeyInfo.
        ///
        /// This pins the key, not the whole certificate, so a renewed certificate with the same key
        /// still matches. When set, the key is the only trust anchor: the CA chain and host name are
        /// not checked (that is what lets a vault use a self-signed certificate). Compute it with
        /// `openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der |
        /// openssl dgst -sha256 -binary | base64`.
        public var pinnedPublicKeySHA256: String?
        /// The proxy to use.
        public var proxy: Proxy = .environment
        /// Upload throttle in bytes per second; nil for no limit.
        public var maxSendBytesPerSecond: Int?
        /// Download throttle in bytes per second; nil for no limit.
        public var maxReceiveBytesPerSecond: Int?
        /// How many idle handles (each with its keep-alive connections) are kept for reuse.
        public var maxIdleConnections: Int = 8

        public init() {}
    }
}
