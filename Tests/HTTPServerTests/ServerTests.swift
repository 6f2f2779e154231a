/// Server over real loopback: methods, query, headers, limits, errors, concurrency, keep-alive, shutdown, files.
import Foundation
import HTTPClient
import HTTPServer
import Testing

struct Boom: Error {}

@Suite("Server")
struct ServerTests {
    let client = Client()

    @Test("GET, PUT and POST reach the handler with method, path, query, headers and body")
    func methods() async throws {
        let (server, base) = try startServer(handler: echo)
        defer { server.stop() }

        let get = try await client.send(.init(url: "\(base)/a%20b/c?x=1&name=J%C3%BCrgen%20K&flag&x=2",
                                              headers: [("X-Custom-Header", "hello")]))
        #expect(get.status == 200)
        #expect(get.header("x-method") == "GET")
        #expect(get.header("X-Path") == "/a b/c")
        #expect(get.header("X-Query") == "x=1&name=Jürgen K&flag=&x=2")
        #expect(get.header("X-Custom") == "hello")
        #expect(get.header("X-Client") == "127.0.0.1")

        let payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let put = try await client.send(.init(method: "PUT", url: "\(base)/objects/1", body: payload))
        #expect(put.header("X-Method") == "PUT")
        #expect(put.body == payload)

        let post = try await client.send(.init(method: "POST", url: "\(base)/form", body: Array("a=1".utf8)))
        #expect(post.header("X-Method") == "POST")
        #expect(post.text == "a=1")
    }

    @Test("header names are case-insensitive and repeated headers are kept")
    func headers() async throws {
        let (server, base) = try startServer { request in
            Response.text("\(request.headers.values(for: "x-tag").joined(separator: ","))|\(request.headers["ACCEPT"] ?? "")")
        }
        defer { server.stop() }
        let response = try await client.send(
            .init(url: base, headers: [("X-Tag", "a"), ("x-tag", "b"), ("Accept", "text/html")]))
        #expect(response.text == "a,b|text/html")
        #expect(response.header("content-type") == "text/plain; charset=utf-8")
    }

    @Test("a body over the limit is answered 413 and the server keeps serving")
    func bodyTooLarge() async throws {
        let received = Shared(0)
        let (server, base) = try startServer({ $0.maxBodySize = 1024 }) { request in
            received.update { $0 += 1 }
            return try await echo(request)
        }
        defer { server.stop() }
        let big = try await client.send(.init(method: "PUT", url: "\(base)/big", body: Array(repeating: 1, count: 1 << 20)))
        #expect(big.status == 413)
        #expect(received.value == 0)
        let small = try await client.send(.init(method: "PUT", url: "\(base)/small", body: Array(repeating: 1, count: 1024)))
        #expect(small.status == 200)
        #expect(small.body.count == 1024)
    }

    @Test("a handler that throws gives a generic 500 and the server keeps serving")
    func handlerThrows() async throws {
        let (server, base) = try startServer { request in
            if request.path == "/fail" { throw Boom() }
            return .text("fine")
        }
        defer { server.stop() }
        let failed = try await client.send(.init(url: "\(base)/fail"))
        #expect(failed.status == 500)
        #expect(failed.text == "Internal server error\n")
        #expect(try await client.send(.init(url: "\(base)/ok")).text == "fine")
    }

    @Test("100 requests from 8 threads at once all get their own answer")
    func concurrentRequests() async throws {
        let (server, base) = try startServer(handler: echo)
        defer { server.stop() }
        let client = self.client
        let wrong = Shared<[String]>([])
        await onThreads(8) { thread in
            for index in stride(from: thread, to: 100, by: 8) {
                let body = Array("request \(index)".utf8)
                do {
                    let response = try client.send(.init(method: "POST", url: "\(base)/n/\(index)", body: body))
                    if response.body != body || response.header("X-Path") != "/n/\(index)" {
                        wrong.update { $0.append("\(index): \(response.status)") }
                    }
                } catch {
                    wrong.update { $0.append("\(index): \(error)") }
                }
            }
        }
        #expect(wrong.value == [])
    }

    @Test("keep-alive: sequential requests from one client reuse one connection")
    func keepAlive() async throws {
        let (server, base) = try startServer(handler: echo)
        defer { server.stop() }
        let client = Client()
        // On a plain thread: a starved pool could otherwise leave a gap longer than the idle timeout.
        let reused = await onThread {
            (0..<10).map { index in (try? client.send(.init(url: "\(base)/\(index)")))?.reusedConnection ?? false }
        }
        #expect(server.acceptedConnections == 1)
        #expect(reused == [false] + Array(repeating: true, count: 9))
    }

    @Test("stop() lets a request in flight finish, then refuses new connections")
    func gracefulStop() async throws {
        let started = Shared(false)
        let finished = Shared(false)
        let release = DispatchSemaphore(value: 0)
        let (server, base) = try startServer { _ in
            started.update { $0 = true }
            _ = release.wait(timeout: .now() + 30)
            finished.update { $0 = true }
            return .text("finished")
        }
        let client = self.client
        let slow = Shared<Client.Response?>(nil)
        let stopping = Shared(false)
        let finishedWhenStopReturned = Shared<Bool?>(nil)
        // Three plain threads: the slow request, stop(), and the release of the handler once stop() is under way.
        await onThreads(3) { role in
            switch role {
            case 0:
                let response = try? client.send(.init(url: "\(base)/slow"))
                slow.update { $0 = response }
            case 1:
                _ = waitUntil { started.value }
                stopping.update { $0 = true }
                server.stop()
                finishedWhenStopReturned.update { $0 = finished.value }
            default:
                _ = waitUntil { stopping.value }
                usleep(200_000)
                release.signal()
            }
        }
        #expect(slow.value?.status == 200)
        #expect(slow.value?.text == "finished")
        #expect(finishedWhenStopReturned.value == true)
        let error = await #expect(throws: HTTPClientError.self) { try await client.send(.init(url: "\(base)/late")) }
        #expect(error?.code == .connectionRefused)
    }

    @Test("a response can stream a file from a descriptor, with an offset")
    func fileResponse() async throws {
        let path = NSTemporaryDirectory() + "/httpserver-file-\(UUID().uuidString)"
        let content = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        try Data(content).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let (server, base) = try startServer { request in
            let descriptor = open(path, O_RDONLY)
            let offset: UInt64 = request.path == "/tail" ? 1_000_000 : 0
            return Response(fileDescriptor: descriptor, offset: offset, length: UInt64(content.count) - offset)
        }
        defer { server.stop() }
        #expect(try await client.send(.init(url: "\(base)/all")).body == content)
        #expect(try await client.send(.init(url: "\(base)/tail")).body == Array(content[1_000_000...]))
    }

    @Test("an invalid address or a port in use fails to start with a clear error")
    func startErrors() throws {
        let invalid = #expect(throws: HTTPServerError.self) {
            try Server(configuration: .init(address: .ipv4("300.1.1.1")), handler: echo)
        }
        #expect(invalid?.code == .invalidAddress)
        let (server, _) = try startServer(handler: echo)
        defer { server.stop() }
        let inUse = #expect(throws: HTTPServerError.self) {
            try Server(configuration: .init(port: server.port), handler: echo)
        }
        #expect(inUse?.code == .startFailed)
    }
}
