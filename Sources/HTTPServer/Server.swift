/// HTTPServer owns libmicrohttpd: it runs a daemon and turns its callbacks into `(Request) async throws -> Response`.
internal import CMicroHTTPD
import Glibc

/// An HTTP/1.1 server (HTTPS when given a certificate) that calls one handler per request.
///
/// Threading: libmicrohttpd runs with `MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION`
/// (and `poll()`, so descriptors above 1024 work). Each connection has its own thread, which runs the
/// request's async handler itself: the handler task prefers a task executor whose queue that thread
/// drains until the task finishes (`Task(executorPreference:)`). So the server never needs a thread of
/// Swift's cooperative pool (as many threads as cores): a pool kept busy by long synchronous work, such
/// as a backup job, does not stop it from answering. No connection is ever suspended, so there is
/// nothing to resume before `MHD_stop_daemon`, and a slow handler holds only its own connection. The
/// cost is one thread per open connection, bounded by `Configuration.connectionLimit`; the portals and
/// the vault API have few clients.
///
/// `@unchecked Sendable`: `daemon` and `port` are set once in `init`; `stop()` is serialized by
/// `stopLock`; request state lives in the `Dispatcher`, which documents its own locking.
public final class Server: @unchecked Sendable {
    /// Answers one request. A thrown error becomes a generic 500; the server keeps serving.
    ///
    /// Handlers run on their connection's thread, as do their structured child tasks and the default
    /// actors they call. Awaiting the main actor, an actor with its own executor, or a timer
    /// (`Task.sleep`, whose wake-up passes through the global pool) waits for that executor. A handler
    /// that blocks holds only its own connection, but prefer awaiting.
    public typealias Handler = @Sendable (Request) async throws -> Response

    /// The TCP port the server listens on (the chosen one when configured with port 0).
    public let port: UInt16
    /// The configuration the server was started with.
    public let configuration: Configuration

    private let dispatcher: Unmanaged<Dispatcher>
    private let daemon: OpaquePointer
    private let stopLock = Lock()
    private var stopped = false
    private var address: UnsafeMutablePointer<sockaddr_in>
    private var tlsStrings: [UnsafeMutablePointer<CChar>] = []

    /// Starts listening and serving; the server runs until `stop()` or until it is released.
    /// - Parameters:
    ///   - configuration: address, port, TLS, limits and timeouts.
    ///   - handler: called once per complete request, from many connections at once.
    /// - Throws: `HTTPServerError` when the address is invalid, TLS is unavailable, or the daemon cannot start.
    public init(configuration: Configuration, handler: @escaping Handler) throws {
        self.configuration = configuration
        address = .allocate(capacity: 1)
        address.initialize(to: sockaddr_in())
        do {
            try Self.fill(address, from: configuration)
        } catch {
            address.deallocate()
            throw error
        }
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_THREAD_PER_CONNECTION.rawValue
            | MHD_USE_POLL.rawValue | MHD_USE_ITC.rawValue
        var options = Self.baseOptions(configuration, address: address)
        if let tls = configuration.tls {
            guard MHD_is_feature_supported(.FEATURE_TLS) == .YES else {
                address.deallocate()
                throw HTTPServerError(
                    code: .tlsUnsupported, message: "this libmicrohttpd was built without TLS; serve plain HTTP behind a TLS proxy")
            }
            flags |= MHD_USE_TLS.rawValue
            // Copies that live as long as the daemon, since MHD keeps the pointers.
            tlsStrings = [strdup(tls.certificatePEM), strdup(tls.privateKeyPEM)]
            options.append(MHD_OptionItem(option: .HTTPS_MEM_CERT, value: 0, ptr_value: tlsStrings[0]))
            options.append(MHD_OptionItem(option: .HTTPS_MEM_KEY, value: 0, ptr_value: tlsStrings[1]))
        }
        let dispatcher = Unmanaged.passRetained(Dispatcher(handler: handler, maxBodySize: configuration.maxBodySize))
        options.append(contentsOf: Self.callbackOptions(dispatcher.toOpaque()))
        options.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))

        let started = options.withUnsafeMutableBufferPointer { buffer in
            CMicroHTTPD_start_daemon(
                flags, configuration.port,
                { context, connection, url, method, _, upload, uploadSize, requestContext in
                    Unmanaged<Dispatcher>.fromOpaque(context!).takeUnretainedValue().access(
                        connection!, url: String(cString: url!), method: String(cString: method!), upload: upload,
                        uploadSize: uploadSize!, context: requestContext!)
                },
                dispatcher.toOpaque(), buffer.baseAddress)
        }
        guard let started else {
            dispatcher.release()
            tlsStrings.forEach { free($0) }
            address.deallocate()
            throw HTTPServerError(
                code: .startFailed,
                message: "could not start the HTTP server on \(Self.describe(configuration)): "
                    + "the port may be in use or need privileges, or the TLS certificate and key may be invalid or mismatched")
        }
        self.daemon = started
        self.dispatcher = dispatcher
        self.port = CMicroHTTPD_bound_port(started)
    }

    deinit {
        stop(grace: .zero)
        tlsStrings.forEach { free($0) }
        address.deallocate()
    }

    /// How many TCP connections the server has accepted since it started (keep-alive reuse shows here).
    public var acceptedConnections: Int { dispatcher.takeUnretainedValue().acceptedConnections }

    /// Stops gracefully: stops accepting connections, lets requests in flight finish (up to
    /// `Configuration.shutdownGracePeriod`), then closes every connection. Safe to call more than once.
    ///
    /// Blocks the calling thread until done. Responses sent while draining carry `Connection: close`.
    public func stop() {
        stop(grace: configuration.shutdownGracePeriod)
    }

    private func stop(grace: Duration) {
        stopLock.withLock {
            guard !stopped else { return }
            stopped = true
            // Quiesce closes nothing: the listening socket is handed back and must outlive MHD_stop_daemon.
            let listener = MHD_quiesce_daemon(daemon)
            _ = dispatcher.takeUnretainedValue().drain(within: grace)
            MHD_stop_daemon(daemon)
            if listener >= 0 { close(listener) }
            dispatcher.release()
        }
    }
}
