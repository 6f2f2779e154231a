/// Helpers for live client tests: a loopback server, blocking work on plain threads, and a self-signed certificate from the openssl CLI.
import Foundation
import HTTPClient
import HTTPServer

/// Starts a server on 127.0.0.1, port 0.
func startServer(
    _ configure: (inout Server.Configuration) -> Void = { _ in }, handler: @escaping Server.Handler
) throws -> (Server, String) {
    var configuration = Server.Configuration()
    configure(&configuration)
    let server = try Server(configuration: configuration, handler: handler)
    let scheme = configuration.tls == nil ? "http" : "https"
    return (server, "\(scheme)://127.0.0.1:\(server.port)")
}

/// Runs blocking work on a thread of its own and waits without blocking the concurrency pool.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

/// A loopback TCP port held bound (without SO_REUSEADDR) and never listened on, released on deinit.
final class BoundPort {
    private let descriptor: Int32
    let number: UInt16

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw CocoaError(.fileWriteUnknown)
        }
        self.descriptor = descriptor
        number = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(descriptor) }
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

/// A P-256 self-signed certificate for CN=localhost, valid one day, and the SPKI pin of its key.
struct SelfSignedCertificate {
    let certificatePEM: String
    let privateKeyPEM: String
    /// base64(SHA-256(DER SubjectPublicKeyInfo)), as computed by the openssl CLI.
    let publicKeyPin: String

    init() throws {
        let directory = NSTemporaryDirectory() + "/httpclient-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.shell(
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost -days 1 "
                + "-keyout key.pem -out cert.pem 2>/dev/null", in: directory)
        certificatePEM = try String(contentsOfFile: directory + "/cert.pem", encoding: .utf8)
        privateKeyPEM = try String(contentsOfFile: directory + "/key.pem", encoding: .utf8)
        publicKeyPin = try Self.shell(
            "openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der "
                + "| openssl dgst -sha256 -binary | base64", in: directory
        ).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    private static func shell(_ command: String, in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return String(decoding: data, as: UTF8.self)
    }
}
