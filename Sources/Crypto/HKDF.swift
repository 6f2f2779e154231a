// HKDF owns key derivation from key material that is already strong (RFC 5869), e.g. splitting a master key.
import COpenSSL

/// HMAC-based extract-and-expand key derivation (RFC 5869).
public enum HKDF {
    /// The longest output RFC 5869 allows with SHA-256: 255 blocks of 32 bytes.
    public static let maxSHA256Length = 255 * 32

    /// Derives `length` bytes (1...8160) from `key` with HKDF-SHA-256. An empty `salt` means the
    /// RFC's default (32 zero bytes); `info` separates keys derived for different purposes.
    public static func sha256(key: SecretBytes, salt: [UInt8], info: [UInt8], length: Int) -> SecretBytes {
        precondition((1...maxSHA256Length).contains(length), "HKDF-SHA-256 output must be 1...\(maxSHA256Length) bytes, asked for \(length)")
        guard let context = EVP_KDF_CTX_new(OpenSSL.hkdf) else { fatalError("EVP_KDF_CTX_new failed: out of memory") }
        defer { EVP_KDF_CTX_free(context) }
        return SecretBytes(count: length) { output in
            let derived = key.withUnsafeBytes { key in
                salt.withUnsafeBytes { salt in
                    info.withUnsafeBytes { info in
                        // OpenSSL treats an absent salt as the RFC default; an empty one is passed as absent.
                        var params: [OSSLParams] = [.utf8("digest", "SHA256"), .octets("key", key)]
                        if !salt.isEmpty { params.append(.octets("salt", salt)) }
                        if !info.isEmpty { params.append(.octets("info", info)) }
                        return OSSLParams.with(params) { params in
                            EVP_KDF_derive(context, output.baseAddress!.assumingMemoryBound(to: UInt8.self), length, params)
                        }
                    }
                }
            }
            // With valid arguments HKDF fails only when memory runs out.
            guard derived == 1 else { fatalError("HKDF-SHA-256 failed: \(OpenSSL.drainErrors())") }
        }
    }
}
