/// Why an HTTP exchange failed before a response arrived.
internal import CCurl

/// A failed request: timeout, refused connection, TLS pin mismatch, response too large, or another transport error.
///
/// An HTTP error status (404, 500) is not an `HTTPClientError`; it is a `Client.Response`.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The connection or the whole transfer took longer than its timeout.
        public static let timeout = Code("timeout")
        /// Nothing accepted the connection (server down, wrong port, firewall).
        public static let connectionRefused = Code("connectionRefused")
        /// The server's public key does not match the pinned SHA-256.
        public static let tlsPinMismatch = Code("tlsPinMismatch")
        /// TLS failed otherwise: certificate not trusted, wrong host name, handshake error.
        public static let tlsFailure = Code("tlsFailure")
        /// The response body is larger than the configured maximum.
        public static let tooLarge = Code("tooLarge")
        /// Any other transport failure; `curlCode` says which.
        public static let other = Code("other")

        public var description: String { name }
    }

    /// The kind of failure.
    public let code: Code
    /// What happened and what to do.
    public let message: String
    /// libcurl's CURLcode, for logs.
    public let curlCode: Int

    public var description: String { message }

    init(code: Code, message: String, curlCode: Int) {
        self.code = code
        self.message = message
        self.curlCode = curlCode
    }

    /// The one place CURLcodes are mapped.
    init(curlCode: CURLcode, detail: String, url: String, maxResponseSize: Int) {
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(curlCode)) : detail
        let code: Code
        let advice: String
        switch curlCode {
        case CURLE_OPERATION_TIMEDOUT:
            code = .timeout
            advice = "the server did not answer in time; check the network or raise the timeout"
        case CURLE_COULDNT_CONNECT:
            code = .connectionRefused
            advice = "nothing is listening there; check the address and that the server is running"
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            code = .tlsPinMismatch
            advice = "the server's key is not the pinned one; if the server's certificate was replaced, "
                + "download fresh credentials, otherwise something is intercepting the connection"
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            code = .tlsFailure
            advice = "the TLS connection could not be verified or set up"
        case CURLE_FILESIZE_EXCEEDED:
            code = .tooLarge
            advice = "the response is larger than the limit of \(maxResponseSize) bytes"
        default:
            code = .other
            advice = "the request failed"
        }
        self.init(code: code, message: "\(url): \(advice) (\(reason))", curlCode: Int(curlCode.rawValue))
    }
}
