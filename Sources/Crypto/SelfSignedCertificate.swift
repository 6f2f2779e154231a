// SelfSignedCertificate owns making the vault's TLS identity: an EC P-256 key and a self-signed X.509 v3 certificate.
import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// A freshly generated self-signed certificate and its private key, both PEM-encoded.
///
/// Agents trust the vault by pinning `sha256Fingerprint` (it travels in the vault credentials file),
/// not through a certificate authority, so the certificate only needs to be well formed and name the host.
public struct SelfSignedCertificate: Sendable {
    /// The certificate, `-----BEGIN CERTIFICATE-----`.
    public let certificatePEM: String
    /// The unencrypted PKCS #8 private key, `-----BEGIN PRIVATE KEY-----`; store it with mode 0600.
    public let privateKeyPEM: String
    /// The DER encoding of the certificate, which is what TLS sends and what the fingerprint covers.
    public let certificateDER: [UInt8]
    /// Lowercase hex of SHA-256 over the DER certificate (as `openssl x509 -fingerprint -sha256`, without colons).
    public let sha256Fingerprint: String

    /// Generates a P-256 key and a certificate for `commonName`, valid from now for `validDays` days.
    ///
    /// `subjectAltNames` are host names (`vault.example.com`, `*.example.com`) or IPv4/IPv6 addresses;
    /// clients check the host against them. Throws `invalidInput` for anything else.
    public static func generate(commonName: String, subjectAltNames: [String], validDays: Int) throws -> SelfSignedCertificate {
        guard (1...3650).contains(validDays) else {
            throw CryptoError(.invalidInput, "a certificate must be valid for 1 to 3650 days, asked for \(validDays)")
        }
        guard (1...64).contains(commonName.utf8.count), !commonName.utf8.contains(0) else {
            throw CryptoError(.invalidInput, "the certificate's common name must be 1 to 64 bytes without NUL, got \(commonName.utf8.count) bytes")
        }
        let altNames = try subjectAltNames.map(altNameEntry).joined(separator: ",")
        let key = try generateKey()
        defer { EVP_PKEY_free(key) }
        guard let certificate = X509_new() else { throw OpenSSL.failure("X509_new") }
        defer { X509_free(certificate) }
        try build(certificate, key: key, commonName: commonName, altNames: altNames, validDays: validDays)
        let der = try derEncoding(certificate)
        return SelfSignedCertificate(
            certificatePEM: try pem("PEM_write_bio_X509") { PEM_write_bio_X509($0, certificate) },
            privateKeyPEM: try pem("PEM_write_bio_PrivateKey") { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) },
            certificateDER: der,
            sha256Fingerprint: Hex.encode(SHA256.hash(der)))
    }

    private static func generateKey() throws -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw OpenSSL.failure("EVP_PKEY_CTX_new_from_name EC") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_CTX_set_group_name(context, "P-256") == 1,
              EVP_PKEY_generate(context, &key) == 1, let key
        else { throw OpenSSL.failure("P-256 key generation") }
        return key
    }

    private static func build(_ certificate: OpaquePointer, key: OpaquePointer, commonName: String,
                              altNames: String, validDays: Int) throws {
        // RFC 5280: a positive serial of up to 20 bytes; 16 random bytes with the top bit clear.
        var serial = SecureRandom.bytes(16)
        serial[0] &= 0x7f
        guard let serialNumber = BN_bin2bn(serial, Int32(serial.count), nil) else { throw OpenSSL.failure("BN_bin2bn") }
        defer { BN_free(serialNumber) }
        let name = X509_get_subject_name(certificate)
        // Backdated five minutes so a client whose clock is slightly behind still accepts it.
        guard X509_set_version(certificate, 2) == 1,
              BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(certificate)) != nil,
              X509_gmtime_adj(X509_getm_notBefore(certificate), -300) != nil,
              X509_time_adj_ex(X509_getm_notAfter(certificate), Int32(validDays), 0, nil) != nil,
              X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, commonName, -1, -1, 0) == 1,
              X509_set_issuer_name(certificate, name) == 1,
              X509_set_pubkey(certificate, key) == 1
        else { throw OpenSSL.failure("filling in the certificate") }
        var extensions: [(Int32, String)] = [
            (NID_basic_constraints, "critical,CA:FALSE"),
            (NID_key_usage, "critical,digitalSignature"),
            (NID_ext_key_usage, "serverAuth"),
        ]
        if !altNames.isEmpty { extensions.append((NID_subject_alt_name, altNames)) }
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, certificate, certificate, nil, nil, 0)
        for (nid, value) in extensions {
            guard let x509Extension = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
                throw OpenSSL.failure("certificate extension \(value)")
            }
            defer { X509_EXTENSION_free(x509Extension) }
            guard X509_add_ext(certificate, x509Extension, -1) == 1 else { throw OpenSSL.failure("X509_add_ext") }
        }
        guard X509_sign(certificate, key, EVP_sha256()) > 0 else { throw OpenSSL.failure("signing the certificate") }
    }

    /// One `DNS:` or `IP:` entry. Names are checked strictly because the entries are joined into an
    /// OpenSSL configuration string, where a comma would smuggle in another name.
    private static func altNameEntry(_ name: String) throws -> String {
        var address = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, name, &address) == 1 || inet_pton(AF_INET6, name, &address) == 1 {
            return "IP:\(name)"
        }
        let labels = name.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let valid = name.utf8.count <= 253 && labels.enumerated().allSatisfy { index, label in
            if index == 0 && labels.count > 2 && label.elementsEqual("*".utf8) { return true }
            return (1...63).contains(label.count) && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                && label.allSatisfy(isHostNameByte)
        }
        guard valid else {
            throw CryptoError(.invalidInput, "'\(name)' is neither a host name (letters, digits, '-', dots, optional leading '*.') nor an IP address")
        }
        return "DNS:\(name)"
    }

    private static func isHostNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"): true
        default: false
        }
    }

    private static func derEncoding(_ certificate: OpaquePointer) throws -> [UInt8] {
        let length = i2d_X509(certificate, nil)
        guard length > 0 else { throw OpenSSL.failure("i2d_X509") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_X509(certificate, &cursor)
        }
        guard written == length else { throw OpenSSL.failure("i2d_X509") }
        return der
    }

    /// Runs a PEM writer into a memory BIO and returns what it wrote.
    private static func pem(_ operation: String, _ write: (OpaquePointer) -> Int32) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSL.failure("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw OpenSSL.failure(operation) }
        var data: UnsafeMutablePointer<CChar>?
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data)
        guard length > 0, let data else { throw OpenSSL.failure(operation) }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }
}
