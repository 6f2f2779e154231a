/// A bare TCP connection for tests that need to misbehave: idle, chunked, or holding a slot.
import Glibc

/// `@unchecked Sendable`: each test uses a connection from one thread at a time.
///
/// Release builds end an object's lifetime at its last use, not at the end of the scope, so a test
/// that holds a connection open must use it later (`close()`) or wrap the wait in `withExtendedLifetime`.
final class RawConnection: @unchecked Sendable {
    /// What one read until the end produced.
    struct Received {
        var text: String
        /// True when the server closed the connection; false when the receive timeout expired first.
        var closedByServer: Bool
        /// From the start of the read to its end, measured on the reading thread.
        var waited: Duration
    }

    let descriptor: Int32

    /// - Parameter receiveTimeout: how long one read may wait before giving up, in seconds.
    init(port: UInt16, receiveTimeout: Int = 5) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw RawConnectionError(errno: errno) }
    }

    deinit { Glibc.close(descriptor) }

    func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = Glibc.send(descriptor, &bytes, bytes.count, Int32(MSG_NOSIGNAL))
    }

    /// Ends the connection from this side now; the descriptor itself is closed on deinit.
    func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Reads until the server closes the connection (or the receive timeout passes); returns what arrived.
    func readToEnd() -> String {
        readUntilClosed().text
    }

    /// Reads until the server closes the connection or the receive timeout passes, and says which.
    func readUntilClosed() -> Received {
        let clock = ContinuousClock()
        let start = clock.now
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var closed = false
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 {
                closed = count == 0 || errno == ECONNRESET
                break
            }
            received += buffer[0..<count]
        }
        return Received(text: String(decoding: received, as: UTF8.self), closedByServer: closed, waited: clock.now - start)
    }
}

struct RawConnectionError: Error {
    let errno: Int32
}
