import Crypto
import FileIO
import Foundation
import Glibc

/// The vault's TLS identity and public address on disk: `DATA/tls/certificate.pem`, `DATA/tls/key.pem` (0600)
/// and `DATA/address`, the URL `vault serve` last served at (what credentials files carry by default).
enum VaultIdentity {
    static func certificatePath(data: String) -> String { data + "/tls/certificate.pem" }
    static func keyPath(data: String) -> String { data + "/tls/key.pem" }

    /// The certificate and key, generated at the first start.
    static func loadOrCreate(data: String) throws -> (certificatePEM: String, keyPEM: String, pins: CertificatePins) {
        let certificate = certificatePath(data: data), key = keyPath(data: data)
        do {
            if !FileIO.exists(certificate) || !FileIO.exists(key) {
                try FileIO.makeDirectories(data + "/tls", mode: 0o700)
                let generated = try SelfSignedCertificate.generate(commonName: "haven-vault", subjectAltNames: hostNames(), validDays: 3650)
                try FileIO.writeFileAtomically(key, Array(generated.privateKeyPEM.utf8), mode: 0o600)
                try FileIO.writeFileAtomically(certificate, Array(generated.certificatePEM.utf8), mode: 0o644)
            }
            let certificatePEM = String(decoding: try FileIO.readFile(certificate), as: UTF8.self)
            let keyPEM = String(decoding: try FileIO.readFile(key), as: UTF8.self)
            return (certificatePEM, keyPEM, try CertificatePins(certificatePEM: certificatePEM))
        } catch {
            throw CommandFailure("cannot set up the vault's TLS certificate in \(data)/tls: \(error); "
                + "check that the data directory is writable, or remove a damaged certificate.pem/key.pem to make new ones")
        }
    }

    /// The pins for an address: those of the certificate for https, none for http.
    static func pins(for address: String, data: String) throws -> CertificatePins? {
        guard address.hasPrefix("https://") else {
            guard address.hasPrefix("http://") else { throw CommandFailure("--address must start with https:// or http://") }
            return nil
        }
        guard let pem = try? FileIO.readFile(certificatePath(data: data)) else {
            throw CommandFailure("the vault has no TLS certificate in \(data)/tls yet; start `haven vault serve` once to make it")
        }
        do { return try CertificatePins(certificatePEM: String(decoding: pem, as: UTF8.self)) } catch {
            throw CommandFailure("cannot read the vault's certificate \(certificatePath(data: data)): \(error)")
        }
    }

    static func recordAddress(_ address: String, data: String) throws {
        try FileIO.writeFileAtomically(data + "/address", Array((address + "\n").utf8), mode: 0o644)
    }

    static func recordedAddress(data: String) throws -> String {
        guard let bytes = try? FileIO.readFile(data + "/address") else {
            throw CommandFailure("no service address known: pass --address https://HOST:PORT, or start `haven vault serve` once")
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// This machine's host name (when valid for a certificate) and the loopback names.
    static func hostNames() -> [String] {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        let host = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let valid = !host.isEmpty && host.utf8.count <= 253 && host != "localhost"
            && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        return (valid ? [host] : []) + ["localhost", "127.0.0.1"]
    }

    static var hostName: String { hostNames().first ?? "localhost" }
}
