// Tests for self-signed certificates, checked independently with the openssl command-line tool (installed by the Makefile).
import Crypto
import Foundation
import Testing

/// Runs `openssl` with `arguments`, feeding `input`, and returns its standard output.
func openssl(_ arguments: [String], input: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = arguments
    let stdin = Pipe()
    let stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = Pipe()
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: output, as: UTF8.self)
}


@Suite("Self-signed certificates")
struct SelfSignedCertificateTests {
    @Test("produces PEM certificate and key and a fingerprint over the DER bytes")
    func shape() throws {
        let certificate = try SelfSignedCertificate.generate(commonName: "haven-vault", subjectAltNames: ["localhost", "127.0.0.1", "::1"], validDays: 365)
        #expect(certificate.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        #expect(certificate.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(certificate.sha256Fingerprint == Hex.encode(SHA256.hash(certificate.certificateDER)))
        #expect(certificate.sha256Fingerprint.count == 64)
        let other = try SelfSignedCertificate.generate(commonName: "haven-vault", subjectAltNames: ["localhost"], validDays: 365)
        #expect(other.sha256Fingerprint != certificate.sha256Fingerprint)
        #expect(other.privateKeyPEM != certificate.privateKeyPEM)
    }

    @Test("openssl reads the certificate: same fingerprint, names, validity and matching key")
    func opensslAgrees() throws {
        let certificate = try SelfSignedCertificate.generate(commonName: "vault.example.com",
                                                             subjectAltNames: ["vault.example.com", "*.example.com", "10.0.0.7", "::1"], validDays: 30)
        let fingerprint = try openssl(["x509", "-noout", "-fingerprint", "-sha256"], input: certificate.certificatePEM)
        #expect(fingerprint.lowercased().filter { $0.isHexDigit }.hasSuffix(certificate.sha256Fingerprint))
        let text = try openssl(["x509", "-noout", "-text"], input: certificate.certificatePEM)
        #expect(text.contains("Subject: CN = vault.example.com"))
        #expect(text.contains("Issuer: CN = vault.example.com"))
        #expect(text.contains("DNS:vault.example.com, DNS:*.example.com, IP Address:10.0.0.7, IP Address:0:0:0:0:0:0:0:1"))
        #expect(text.contains("ASN1 OID: prime256v1"))
        #expect(text.contains("CA:FALSE"))
        #expect(try openssl(["x509", "-noout", "-checkend", "\(29 * 86400)"], input: certificate.certificatePEM).contains("will not expire"))
        #expect(try openssl(["x509", "-noout", "-checkend", "\(31 * 86400)"], input: certificate.certificatePEM).contains("will expire"))
        let certificateKey = try openssl(["x509", "-noout", "-pubkey"], input: certificate.certificatePEM)
        let privateKey = try openssl(["pkey", "-pubout"], input: certificate.privateKeyPEM)
        #expect(!certificateKey.isEmpty && certificateKey == privateKey)
    }

    @Test("refuses names that could inject extra entries, bad common names and validity", arguments: [
        (["a.example,DNS:evil.example"], "ok", 10), (["bad name"], "ok", 10), ([""], "ok", 10), (["-x.example"], "ok", 10),
        (["host..example"], "ok", 10), (["ok.example"], "", 10), (["ok.example"], String(repeating: "x", count: 65), 10), (["ok.example"], "ok", 0),
    ])
    func rejects(names: [String], commonName: String, days: Int) {
        #expect {
            _ = try SelfSignedCertificate.generate(commonName: commonName, subjectAltNames: names, validDays: days)
        } throws: { ($0 as? CryptoError)?.code == .invalidInput }
    }
}
