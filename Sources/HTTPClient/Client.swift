/// HTTPClient owns libcurl: synchronous requests with connection reuse, timeouts, TLS pinning, size limits and throttling.
internal import CCurl

/// Sends HTTP requests with libcurl, reusing connections between requests.
///
/// `@unchecked Sendable`: its only mutable state is the pool of idle easy handles, guarded by a lock.
/// A handle is taken out of the pool for the duration of one request, so no curl handle is ever used
/// by two threads at once (libcurl's one rule for threads), and `CURLOPT_NOSIGNAL` keeps timeouts
/// off signals. Each idle handle keeps its own connection cache, so up to `maxIdleConnections`
/// keep-alive connections are reused across requests and threads.
public final class Client: @unchecked Sendable {
    /// The settings every request of this client uses.
    public let configuration: Configuration
    private let pool: HandlePool

    /// libcurl's global setup, run once per process before the first handle (it is not thread-safe itself).
    private static let globalInit: Void = {
        let rc = curl_global_init(Int(CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32))
        precondition(rc == CURLE_OK, "curl_global_init failed: \(rc)")
    }()

    /// - Parameter configuration: timeouts, limits, pinning, proxy and throttling.
    public init(configuration: Configuration = Configuration()) {
        _ = Self.globalInit
        self.configuration = configuration
        self.pool = HandlePool(capacity: configuration.maxIdleConnections)
    }

    /// Sends a request and waits for the whole response.
    ///
    /// Blocks the calling thread; from async code call it on a thread that may block.
    /// Redirects are not followed.
    /// - Parameter request: method, URL, headers and body.
    /// - Returns: the response, whatever its status.
    /// - Throws: `HTTPClientError` when no complete response arrived.
    public func send(_ request: Request) throws(HTTPClientError) -> Response {
        let handle = pool.take()
        // On failure the handle is not given back: it may hold a broken connection, and a new one is cheap.
        let response = try handle.perform(request, configuration: configuration)
        pool.give(handle)
        return response
    }
}
