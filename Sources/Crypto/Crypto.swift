// Crypto owns OpenSSL: AES-256-GCM, SHA-256, HMAC-SHA-256, HKDF, scrypt, randomness, constant-time
// comparison and self-signed certificates behind Swift types; nothing above it imports COpenSSL.
import COpenSSL

/// The algorithm objects Crypto fetches from OpenSSL's default provider once per process.
///
/// OpenSSL 3 looks algorithms up by name on every implicit use (`EVP_sha256()` inside a call),
/// which takes a lock and a hash-table probe; fetching once keeps small inputs fast.
/// Fetched `EVP_MD`/`EVP_CIPHER`/`EVP_MAC`/`EVP_KDF` objects are immutable and documented as safe
/// to share between threads, hence `nonisolated(unsafe)`.
enum OpenSSL {
    nonisolated(unsafe) static let sha256: OpaquePointer = fetched(EVP_MD_fetch(nil, "SHA256", nil), "SHA256")
    nonisolated(unsafe) static let aes256GCM: OpaquePointer = fetched(EVP_CIPHER_fetch(nil, "AES-256-GCM", nil), "AES-256-GCM")
    nonisolated(unsafe) static let hmac: OpaquePointer = fetched(EVP_MAC_fetch(nil, "HMAC", nil), "HMAC")
    nonisolated(unsafe) static let hkdf: OpaquePointer = fetched(EVP_KDF_fetch(nil, "HKDF", nil), "HKDF")
    nonisolated(unsafe) static let scrypt: OpaquePointer = fetched(EVP_KDF_fetch(nil, "SCRYPT", nil), "SCRYPT")

    /// A missing default-provider algorithm means a broken OpenSSL installation; nothing can run without it.
    private static func fetched(_ pointer: OpaquePointer?, _ name: String) -> OpaquePointer {
        guard let pointer else {
            fatalError("OpenSSL's default provider has no \(name): \(drainErrors()); reinstall libssl3")
        }
        return pointer
    }

    /// Empties this thread's OpenSSL error queue and returns its entries joined, so a failure
    /// never leaks into the message of the next, unrelated one.
    static func drainErrors() -> String {
        var reasons: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.isEmpty ? "no detail from OpenSSL" : reasons.joined(separator: "; ")
    }

    /// A `CryptoError.library` carrying what OpenSSL said about the failed call.
    static func failure(_ operation: String) -> CryptoError {
        CryptoError(.library, "\(operation) failed: \(drainErrors())")
    }
}

/// A pointer that is never nil, for handing empty buffers to C APIs that reject NULL.
nonisolated(unsafe) let emptyBufferAddress = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))

extension UnsafeRawBufferPointer {
    /// The base address, or a valid dummy address when the buffer is empty.
    var nonNullBase: UnsafeRawPointer { baseAddress ?? emptyBufferAddress }
}
