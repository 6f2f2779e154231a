/// Client over real loopback: errors are classified, limits and throttles hold, proxies are used, HTTPS pins.
import Foundation
import HTTPClient
import HTTPServer
import Testing

@Suite("Client")
struct ClientTests {
    @Test("nothing listening gives connectionRefused")
    func connectionRefused() async throws {
        // A port bound but not listening: connecting is refused, and no parallel test can take the port.
        let port = try BoundPort()
        let error = await #expect(throws: HTTPClientError.self) {
            try await Client().send(.init(url: "http://127.0.0.1:\(port.number)/"))
        }
        #expect(error?.code == .connectionRefused, "\(error?.message ?? "")")
        #expect(error?.message.contains("127.0.0.1") == true)
    }

    @Test("URLs other than http and https are refused")
    func onlyHTTP() async throws {
        let error = await #expect(throws: HTTPClientError.self) { try await Client().send(.init(url: "file:///etc/hostname")) }
        #expect(error?.code == .other)
    }

    @Test("a slow server gives timeout after the request's timeout, not the server's delay")
    func timeout() async throws {
        // The handler blocks its connection thread until the test is done, far beyond the client's timeout.
        let release = DispatchSemaphore(value: 0)
        let finished = Shared(false)
        let (server, base) = try startServer { _ in
            _ = release.wait(timeout: .now() + 30)
            finished.update { $0 = true }
            return .text("late")
        }
        defer { server.stop() }
        var slow = Client.Request(url: base)
        slow.timeout = .milliseconds(300)
        let request = slow
        let client = Client()
        let outcome = await onThread { () -> (error: HTTPClientError?, waited: Duration, handlerFinished: Bool) in
            let clock = ContinuousClock()
            let start = clock.now
            var failure: HTTPClientError?
            do throws(HTTPClientError) { _ = try client.send(request) } catch { failure = error }
            return (failure, clock.now - start, finished.value)
        }
        release.signal()
        #expect(outcome.error?.code == .timeout)
        // It waited for the timeout rather than failing at once; curl's millisecond timer may fire a little early.
        #expect(outcome.waited >= .milliseconds(250))
        #expect(!outcome.handlerFinished)
    }

    @Test("a response over the maximum size fails with tooLarge; one at the limit is read")
    func tooLarge() async throws {
        let (server, base) = try startServer { request in
            Response(body: Array(repeating: 65, count: Int(request.path.dropFirst()) ?? 0))
        }
        defer { server.stop() }
        var configuration = Client.Configuration()
        configuration.maxResponseSize = 1000
        let client = Client(configuration: configuration)
        let error = await #expect(throws: HTTPClientError.self) { try await client.send(.init(url: "\(base)/5000")) }
        #expect(error?.code == .tooLarge)
        #expect(try await client.send(.init(url: "\(base)/1000")).body.count == 1000)
    }

    @Test("HEAD and DELETE are sent as such, and response headers are all kept")
    func methodsAndHeaders() async throws {
        let (server, base) = try startServer { request in
            var headers: HTTPHeaders = ["X-Method": request.method]
            headers.add("Set-Cookie", "a=1")
            headers.add("Set-Cookie", "b=2")
            return Response(headers: headers, body: Array("body".utf8))
        }
        defer { server.stop() }
        let client = Client()
        let head = try await client.send(.init(method: "HEAD", url: base))
        #expect(head.header("X-Method") == "HEAD")
        #expect(head.body.isEmpty)
        let delete = try await client.send(.init(method: "DELETE", url: base))
        #expect(delete.header("X-Method") == "DELETE")
        #expect(delete.headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value) == ["a=1", "b=2"])
    }

    @Test("download and upload throttles make a transfer take at least its ideal time")
    func throttling() async throws {
        let size = 300_000
        let (server, base) = try startServer { request in
            Response(body: request.method == "GET" ? Array(repeating: 7, count: size) : Array("\(request.body.count)".utf8))
        }
        defer { server.stop() }
        var configuration = Client.Configuration()
        configuration.maxReceiveBytesPerSecond = 200_000
        configuration.maxSendBytesPerSecond = 200_000
        let client = Client(configuration: configuration)
        // Timed on a thread of its own, so only the transfer is measured, never a wait for the busy pool.
        let timed = { @Sendable (request: Client.Request) -> (response: Client.Response?, took: Duration) in
            let clock = ContinuousClock()
            let start = clock.now
            let response = try? client.send(request)
            return (response, clock.now - start)
        }
        let download = await onThread { timed(.init(url: base)) }
        let upload = await onThread { timed(.init(method: "PUT", url: base, body: Array(repeating: 7, count: size))) }
        #expect(download.response?.body.count == size)
        #expect(upload.response?.text == "\(size)")
        // 300 kB at 200 kB/s is 1.5 s; curl may send the first buffers in a burst, so require 1 s.
        // Unthrottled, loopback moves 300 kB in a few milliseconds.
        #expect(download.took > .milliseconds(1000))
        #expect(upload.took > .milliseconds(1000))
    }

    @Test("a configured proxy receives the request in absolute form")
    func proxy() async throws {
        let (proxy, proxyURL) = try startServer { request in .text("proxied \(request.path)") }
        defer { proxy.stop() }
        var configuration = Client.Configuration()
        configuration.proxy = .url(proxyURL)
        let response = try await Client(configuration: configuration).send(.init(url: "http://vault.invalid/objects/1"))
        #expect(response.text == "proxied http://vault.invalid/objects/1")
    }
}
