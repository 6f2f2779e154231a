/// Helpers for live tests: a server on an ephemeral loopback port, and work run on plain threads.
import Foundation
import HTTPClient
import HTTPServer

/// Starts a server on 127.0.0.1, port 0, and returns it with its base URL.
func startServer(
    _ configure: (inout Server.Configuration) -> Void = { _ in }, handler: @escaping Server.Handler
) throws -> (Server, String) {
    var configuration = Server.Configuration()
    configure(&configuration)
    let server = try Server(configuration: configuration, handler: handler)
    return (server, "http://127.0.0.1:\(server.port)")
}

/// Runs `body` on `count` dedicated threads at once and waits without blocking the concurrency pool.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread {
                body(index)
                group.leave()
            }.start()
        }
        group.notify(queue: .global()) { continuation.resume() }
    }
}

/// Runs blocking work on a thread of its own, so it never starves the concurrency pool the server's handlers need.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    let result = Shared<T?>(nil)
    await onThreads(1) { _ in
        let value = body()
        result.update { $0 = value }
    }
    return result.value!
}

/// A value shared between threads in a test.
final class Shared<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}

/// Echoes the request back: method, path, query, a custom header and client address in headers, the body as body.
let echo: Server.Handler = { request in
    var headers: HTTPHeaders = [
        "X-Method": request.method,
        "X-Path": request.path,
        "X-Query": request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&"),
        "X-Client": request.clientAddress ?? "none",
    ]
    if let custom = request.headers["x-custom-header"] { headers["X-Custom"] = custom }
    return Response(status: 200, headers: headers, body: request.body)
}

/// Polls `condition` every 10 ms on the calling (dedicated) thread; false if it is still unmet after `limit`.
func waitUntil(_ limit: Duration = .seconds(20), _ condition: () -> Bool) -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    while !condition() {
        if clock.now >= deadline { return false }
        usleep(10_000)
    }
    return true
}
