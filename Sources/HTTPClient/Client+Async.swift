/// Sending from async code without blocking the Swift concurrency pool.
import Foundation

extension Client {
    /// Sends a request from async code: the blocking transfer runs on a thread of its own, so it never
    /// holds one of the few cooperative-pool threads that other tasks (an HTTP server's handlers, say) need.
    /// - Parameter request: method, URL, headers and body.
    /// - Returns: the response, whatever its status.
    /// - Throws: `HTTPClientError` when no complete response arrived.
    public func send(_ request: Request) async throws(HTTPClientError) -> Response {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Response, HTTPClientError>, Never>) in
            let thread = Thread { [self] in
                continuation.resume(returning: Result { () throws(HTTPClientError) -> Response in try send(request) })
            }
            thread.name = "HTTPClient.send"
            thread.start()
        }
        return try result.get()
    }
}
