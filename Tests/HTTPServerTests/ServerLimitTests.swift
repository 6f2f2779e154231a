/// Server limits seen from raw sockets: idle timeout, connection limit, chunked bodies over the limit.
import Foundation
import HTTPClient
import HTTPServer
import Testing

@Suite("Server limits")
struct ServerLimitTests {
    @Test("an idle connection is closed by the server after the connection timeout")
    func idleTimeout() async throws {
        let (server, _) = try startServer({ $0.connectionTimeout = .seconds(1) }, handler: echo)
        defer { server.stop() }
        // The client gives up only after 30 s, so a close before that is the server's doing.
        let connection = try RawConnection(port: server.port, receiveTimeout: 30)
        let received = await onThread { connection.readUntilClosed() }
        #expect(received.text == "")
        #expect(received.closedByServer)
        #expect(received.waited >= .milliseconds(900))
    }

    @Test("connections beyond the limit are refused while the limit is in use, and served once a slot frees")
    func connectionLimit() async throws {
        let (server, base) = try startServer({ $0.connectionLimit = 2 }, handler: echo)
        defer { server.stop() }
        let client = Client()
        // Everything on one plain thread, so a starved pool cannot stretch it past the idle timeout.
        let outcome = await onThread { () -> (accepted: Bool, refused: HTTPClientError?, afterwards: [Int]) in
            guard let first = try? RawConnection(port: server.port), let second = try? RawConnection(port: server.port)
            else { return (false, nil, []) }
            // Both held connections must be accepted before the third arrives; MHD counts them from accept.
            let accepted = waitUntil { server.acceptedConnections == 2 }
            var third = Client.Request(url: "\(base)/third")
            third.timeout = .seconds(20)
            var refused: HTTPClientError?
            do throws(HTTPClientError) { _ = try client.send(third) } catch { refused = error }
            first.close()
            // MHD frees the slot once its thread for `first` has seen the close; retry until then.
            var statuses: [Int] = []
            _ = waitUntil {
                let status = (try? client.send(.init(url: "\(base)/later")))?.status
                if let status { statuses.append(status) }
                return status != nil
            }
            second.close()
            return (accepted, refused, statuses)
        }
        #expect(outcome.accepted)
        // Refused means closed at once by the server, not left waiting until the client's timeout.
        #expect(outcome.refused != nil)
        #expect(outcome.refused?.code != .timeout)
        #expect(outcome.afterwards == [200])
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
