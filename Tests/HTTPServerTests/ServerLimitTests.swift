/// Server limits seen from raw sockets: idle timeout, connection limit, chunked bodies over the limit.
import Foundation
import HTTPClient
import HTTPServer
import Testing

@Suite("Server limits")
struct ServerLimitTests {
    @Test("an idle connection is closed after the connection timeout")
    func idleTimeout() async throws {
        let (server, _) = try startServer({ $0.connectionTimeout = .seconds(1) }, handler: echo)
        defer { server.stop() }
        let connection = try RawConnection(port: server.port)
        let clock = ContinuousClock()
        let start = clock.now
        let received = await onThread { connection.readToEnd() }
        let waited = clock.now - start
        #expect(received == "")
        #expect(waited >= .milliseconds(900))
        #expect(waited < .seconds(4))
    }

    @Test("connections beyond the limit are refused while the limit is in use")
    func connectionLimit() async throws {
        let (server, base) = try startServer({ $0.connectionLimit = 2 }, handler: echo)
        defer { server.stop() }
        let held = try [RawConnection(port: server.port), RawConnection(port: server.port)]
        try await Task.sleep(for: .milliseconds(100))
        await #expect(throws: HTTPClientError.self) { try await Client().send(.init(url: base)) }
        _ = held
    }

    @Test("a chunked body growing past the limit aborts the connection without reaching the handler")
    func chunkedOverLimit() async throws {
        let calls = Shared(0)
        let (server, _) = try startServer({ $0.maxBodySize = 100 }) { request in
            calls.update { $0 += 1 }
            return try await echo(request)
        }
        defer { server.stop() }
        let connection = try RawConnection(port: server.port)
        let chunk = String(repeating: "x", count: 80)
        connection.write("PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n\(chunk)\r\n50\r\n\(chunk)\r\n0\r\n\r\n")
        let received = await onThread { connection.readToEnd() }
        #expect(!received.contains("200 OK"))
        #expect(calls.value == 0)

        let small = try RawConnection(port: server.port)
        small.write("PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        let answer = await onThread { small.readToEnd() }
        #expect(answer.hasPrefix("HTTP/1.1 200"))
        #expect(answer.hasSuffix("hello"))
    }
}
