// HMACSHA256 owns keyed SHA-256 authentication codes, used for chunk ids that leak nothing without the key.
import COpenSSL

/// HMAC-SHA-256 with a fixed key; thread-safe, and cheap per call for small inputs.
///
/// `init` keys one OpenSSL MAC context (hashing the padded key into the inner and outer states).
/// Calls borrow a keyed context from a small pool and rewind it with `EVP_MAC_init(ctx, NULL, ...)`,
/// which keeps the key state; a context is duplicated from the template only when the pool is empty.
/// Rewinding costs about half of duplicating (≈180 ns against ≈390 ns per call on this machine).
/// `@unchecked Sendable` is safe because the template is only read after `init`, and each pooled
/// context is used by one call at a time: the lock guards the pool, and a borrowed context is owned by its caller.
public final class HMACSHA256: @unchecked Sendable {
    /// The tag length in bytes.
    public static let byteCount = 32
    /// Idle contexts kept beyond this are freed; more than the worker threads that hash at once is waste.
    private static let poolLimit = 16

    private let template: OpaquePointer
    private let lock = Lock()
    private var idle: [OpaquePointer] = []

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

    deinit {
        for context in idle { EVP_MAC_CTX_free(context) }
        EVP_MAC_CTX_free(template)
    }

    /// The 32-byte tag of `data`.
    public func authenticate(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        let context = borrow()
        defer { giveBack(context) }
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

    /// A keyed context ready for `update`: a rewound idle one, or a fresh copy of the template.
    private func borrow() -> OpaquePointer {
        if let context = lock.withLock({ idle.popLast() }) {
            guard EVP_MAC_init(context, nil, 0, nil) == 1 else { fatalError("HMAC-SHA-256 reset failed: \(OpenSSL.drainErrors())") }
            return context
        }
        guard let context = EVP_MAC_CTX_dup(template) else { fatalError("EVP_MAC_CTX_dup failed: out of memory") }
        return context
    }

    private func giveBack(_ context: OpaquePointer) {
        let kept = lock.withLock {
            guard idle.count < Self.poolLimit else { return false }
            idle.append(context)
            return true
        }
        if !kept { EVP_MAC_CTX_free(context) }
    }
}
