// CertificatePins owns reading the two fingerprints agents pin from a PEM certificate: the certificate's and its key's.
import COpenSSL

/// The fingerprints of a PEM certificate that a vault credentials file carries.
///
/// The vault loads its certificate from disk on every start, so the pins are computed from the PEM text
/// rather than kept from `SelfSignedCertificate.generate`.
public struct CertificatePins: Sendable, Equatable {
    /// Lowercase hex SHA-256 of the DER certificate (as `SelfSignedCertificate.sha256Fingerprint`).
    public let certificateSHA256: String
    /// Base64 SHA-256 of the DER SubjectPublicKeyInfo: libcurl's `CURLOPT_PINNEDPUBLICKEY` form without `sha256//`.
    public let publicKeySHA256: String

    /// Reads the first certificate of `certificatePEM`; throws `invalidInput` when there is none.
    public init(certificatePEM: String) throws {
        guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSL.failure("BIO_new") }
        defer { BIO_free(bio) }
        let bytes = Array(certificatePEM.utf8)
        guard bytes.withUnsafeBytes({ BIO_write(bio, $0.nonNullBase, Int32($0.count)) }) == Int32(bytes.count) else {
            throw OpenSSL.failure("BIO_write")
        }
        guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
            _ = OpenSSL.drainErrors()
            throw CryptoError(.invalidInput, "the text holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        defer { X509_free(certificate) }
        let certificateDER = try Self.der("i2d_X509") { i2d_X509(certificate, $0) }
        guard let key = X509_get0_pubkey(certificate) else { throw OpenSSL.failure("X509_get0_pubkey") }
        let keyDER = try Self.der("i2d_PUBKEY") { i2d_PUBKEY(key, $0) }
        certificateSHA256 = Hex.encode(SHA256.hash(certificateDER))
        publicKeySHA256 = Self.base64(SHA256.hash(keyDER))
    }

    /// Runs an OpenSSL `i2d_*` encoder twice: once for the length, once to fill the buffer.
    private static func der(
        _ operation: String, _ encode: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32
    ) throws -> [UInt8] {
        let length = encode(nil)
        guard length > 0 else { throw OpenSSL.failure(operation) }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return encode(&cursor)
        }
        guard written == length else { throw OpenSSL.failure(operation) }
        return der
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        var output = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)
        let count = EVP_EncodeBlock(&output, bytes, Int32(bytes.count))
        return String(decoding: output.prefix(Int(count)), as: UTF8.self)
    }
}
