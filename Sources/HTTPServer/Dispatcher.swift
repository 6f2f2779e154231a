/// The context libmicrohttpd calls back into: it collects each request, runs the handler and counts what is in flight.
internal import CMicroHTTPD
import Foundation

/// Receives libmicrohttpd's callbacks for one daemon.
///
/// `@unchecked Sendable`: MHD calls it from one thread per connection at once. Its own mutable state
/// (`inFlight`, `draining`, `accepted`) is only touched while holding `condition`; the handler and
/// limits are immutable. It is passed to MHD retained and released only after `MHD_stop_daemon`
/// has joined every connection thread, so no callback can outlive it.
final class Dispatcher: @unchecked Sendable {
    /// Per-request state kept in MHD's `con_cls` between the calls that deliver one request.
    final class Exchange {
        var body: [UInt8] = []
    }

    let handler: Server.Handler
    let maxBodySize: Int
    private let condition = NSCondition()
    private var inFlight = 0
    private var draining = false
    private var accepted = 0

    init(handler: @escaping Server.Handler, maxBodySize: Int) {
        self.handler = handler
        self.maxBodySize = maxBodySize
    }

    /// Handles one call of MHD's access handler; MHD calls it several times per request
    /// (headers, then each piece of body, then once more when the body is complete).
    func access(
        _ connection: OpaquePointer, url: String, method: String, upload: UnsafePointer<CChar>?,
        uploadSize: UnsafeMutablePointer<Int>, context: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> MHD_Result {
        guard let stored = context.pointee else {
            // First call: only the headers have arrived.
            context.pointee = Unmanaged.passRetained(Exchange()).toOpaque()
            condition.withLock { inFlight += 1 }
            let declared = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length")
                .flatMap { UInt64(String(cString: $0)) }
            if let declared, declared > UInt64(maxBodySize) {
                // Answered before the body is read: MHD sends no "100 Continue" and closes afterwards.
                return queue(.payloadTooLarge(limit: maxBodySize), on: connection)
            }
            return .YES
        }
        let exchange = Unmanaged<Exchange>.fromOpaque(stored).takeUnretainedValue()
        let size = uploadSize.pointee
        if size > 0 {
            // Only a chunked body (no Content-Length) can get here past the limit; MHD cannot queue
            // a response mid-body, so the connection is aborted rather than buffering without bound.
            guard exchange.body.count + size <= maxBodySize, let upload else { return .NO }
            exchange.body.append(contentsOf: UnsafeRawBufferPointer(start: upload, count: size))
            uploadSize.pointee = 0
            return .YES
        }
        let request = Request(
            method: method, path: url, query: Self.query(of: connection), headers: Self.headers(of: connection),
            body: exchange.body, clientAddress: Self.clientAddress(of: connection))
        exchange.body = []
        return queue(respond(to: request), on: connection)
    }

    /// Runs the async handler on this (MHD connection) thread and returns its response.
    ///
    /// The task prefers a `ConnectionExecutor` that this thread drains while it waits, so the handler
    /// needs no cooperative-pool thread. Blocking here is the point of thread-per-connection mode: the
    /// thread belongs to MHD, and MHD_stop_daemon joins it, so the task never outlives the server.
    private func respond(to request: Request) -> Response {
        let outcome = Outcome()
        let executor = ConnectionExecutor()
        let handler = self.handler
        Task(executorPreference: executor) {
            do {
                outcome.response = try await handler(request)
            } catch {
                outcome.response = .internalServerError
            }
            executor.finish()
        }
        executor.run()
        return outcome.response
    }

    /// Called by MHD when a request ends, normally or not.
    func completed(_ context: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) {
        guard let context, let stored = context.pointee else { return }
        Unmanaged<Exchange>.fromOpaque(stored).release()
        context.pointee = nil
        condition.withLock {
            inFlight -= 1
            condition.broadcast()
        }
    }

    func connectionStarted() {
        condition.withLock { accepted += 1 }
    }

    var acceptedConnections: Int { condition.withLock { accepted } }

    var isDraining: Bool { condition.withLock { draining } }

    /// Marks the server as draining, then waits until no request is in flight or the deadline passes.
    /// - Returns: how many requests were still in flight at the deadline.
    func drain(within grace: Duration) -> Int {
        let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        draining = true
        while inFlight > 0, condition.wait(until: deadline) {}
        return inFlight
    }
}

/// Hands the handler's response from its task back to the waiting MHD thread.
///
/// `@unchecked Sendable`: written once by the task before `finish()`, read once after `run()` returns;
/// the executor's lock orders the two.
private final class Outcome: @unchecked Sendable {
    var response = Response.internalServerError
}
