/// The server answers while Swift's cooperative pool is fully occupied by blocking work.
import Foundation
import HTTPClient
import HTTPServer
import Testing

/// A default actor: with the handler's executor preference, its code runs on the connection thread too.
private actor Counter {
    private var count = 0
    func next() -> Int {
        count += 1
        return count
    }
}

@Suite("Server executor")
struct ServerExecutorTests {
    @Test("a cooperative pool blocked by synchronous work does not stop the server from answering")
    func busyPool() async throws {
        let counter = Counter()
        let (server, base) = try startServer { request in
            let number = await counter.next()
            async let echoed = echo(request)
            return Response(status: try await echoed.status, body: Array("answer \(number)".utf8))
        }
        defer { server.stop() }

        // One blocker per pool thread; the test itself then runs only on dedicated threads.
        let width = ProcessInfo.processInfo.activeProcessorCount
        let blocked = Shared(0)
        let release = DispatchSemaphore(value: 0)
        for _ in 0..<width {
            Task.detached {
                blocked.update { $0 += 1 }
                release.wait()
            }
        }
        let texts = await onThread { () -> [String] in
            // Alone, the blockers start at once. Among other suites they may not all get a thread within
            // the wait; then other work holds the rest of the pool, which is just as busy.
            _ = waitUntil(.seconds(10)) { blocked.value == width }
            var request = Client.Request(url: "\(base)/busy")
            request.timeout = .seconds(10)
            let client = Client()
            let texts = (0..<3).map { _ in (try? client.send(request))?.text ?? "no answer" }
            for _ in 0..<width { release.signal() }
            return texts
        }
        #expect(texts == ["answer 1", "answer 2", "answer 3"])
    }
}
