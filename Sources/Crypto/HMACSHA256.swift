// HMACSHA256 owns keyed SHA-256 authentication codes, used for chunk ids that leak nothing without the key.
import COpenSSL

/// HMAC-SHA-256 with a fixed key; thread-safe, and cheap per call for small inputs.
///
/// `init` keys one OpenSSL MAC context (hashing the padded key into the inner and outer states);
/// each call duplicates that keyed template instead of re-keying, which saves two SHA-256 blocks
/// and an algorithm lookup per call. `@unchecked Sendable` is safe because the template is never
/// mutated after `init`: calls only read it (`EVP_MAC_CTX_dup`) and work on their own copy.
public final class HMACSHA256: @unchecked Sendable {
    /// The tag length in bytes.
    public static let byteCount = 32

    private let template: OpaquePointer

    /// Keys the MAC. Any key length works; Haven uses 32-byte keys.
    public init(key: SecretBytes) {
        guard let context = EVP_MAC_CTX_new(OpenSSL.hmac) else { fatalError("EVP_MAC_CTX_new failed: out of memory") }
        let keyed = key.withUnsafeBytes { key in
            OSSLParams.with([.utf8("digest", "SHA256")]) { params in
                EVP_MAC_init(context, key.nonNullBase.assumingMemoryBound(to: UInt8.self), key.count, params)
            }
        }
        guard keyed == 1 else { fatalError("HMAC-SHA-256 init failed: \(OpenSSL.drainErrors())") }
        template = context
    }

    deinit { EVP_MAC_CTX_free(template) }

    /// The 32-byte tag of `data`.
    public func authenticate(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        guard let context = EVP_MAC_CTX_dup(template) else { fatalError("EVP_MAC_CTX_dup failed: out of memory") }
        defer { EVP_MAC_CTX_free(context) }
        return [UInt8](unsafeUninitializedCapacity: Self.byteCount) { tag, initialized in
            var length = 0
            guard EVP_MAC_update(context, data.nonNullBase.assumingMemoryBound(to: UInt8.self), data.count) == 1,
                  EVP_MAC_final(context, tag.baseAddress, &length, Self.byteCount) == 1
            else { fatalError("HMAC-SHA-256 failed: \(OpenSSL.drainErrors())") }
            initialized = length
        }
    }

    /// The 32-byte tag of `bytes`.
    public func authenticate(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { authenticate($0) }
    }
}
