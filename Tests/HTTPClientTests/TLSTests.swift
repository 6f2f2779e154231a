/// HTTPS end to end: libmicrohttpd (GnuTLS) serving a self-signed certificate, libcurl (OpenSSL) pinning its key.
import Foundation
import HTTPClient
import HTTPServer
import Testing

@Suite("TLS")
struct TLSTests {
    let certificate: SelfSignedCertificate
    let server: Server
    let base: String

    init() async throws {
        // openssl runs as a child process; waiting for it must not hold a cooperative-pool thread.
        let certificate = try await onThread { Result { try SelfSignedCertificate() } }.get()
        (server, base) = try startServer({
            $0.tls = .init(certificatePEM: certificate.certificatePEM, privateKeyPEM: certificate.privateKeyPEM)
        }) { request in .text("secure \(request.method)") }
        self.certificate = certificate
    }

    func client(pin: String?) -> Client {
        var configuration = Client.Configuration()
        configuration.pinnedPublicKeySHA256 = pin
        return Client(configuration: configuration)
    }

    @Test("HTTPS with the right pin succeeds, with keep-alive")
    func pinned() async throws {
        defer { server.stop() }
        let client = client(pin: certificate.publicKeyPin)
        let base = self.base
        // On a plain thread: a starved pool could otherwise leave a gap longer than the idle timeout.
        let (first, second) = await onThread {
            (try? client.send(.init(url: base)), try? client.send(.init(method: "PUT", url: base, body: [1, 2, 3])))
        }
        #expect(first?.text == "secure GET")
        #expect(second?.text == "secure PUT")
        #expect(second?.reusedConnection == true)
    }

    @Test("a different pin is refused with tlsPinMismatch")
    func pinMismatch() async throws {
        defer { server.stop() }
        let wrong = String(repeating: "A", count: 43) + "="
        let error = await #expect(throws: HTTPClientError.self) { try await client(pin: wrong).send(.init(url: base)) }
        #expect(error?.code == .tlsPinMismatch)
    }

    @Test("without a pin the self-signed certificate is not trusted")
    func unpinned() async throws {
        defer { server.stop() }
        let error = await #expect(throws: HTTPClientError.self) { try await client(pin: nil).send(.init(url: base)) }
        #expect(error?.code == .tlsFailure)
    }

    @Test("plain HTTP to the HTTPS port fails instead of hanging")
    func plainToTLS() async throws {
        defer { server.stop() }
        var request = Client.Request(url: base.replacingOccurrences(of: "https:", with: "http:"))
        request.timeout = .seconds(5)
        await #expect(throws: HTTPClientError.self) { try await client(pin: nil).send(request) }
    }
}
