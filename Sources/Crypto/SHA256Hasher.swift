// SHA256Hasher owns streaming SHA-256 for data that arrives in pieces (files, uploads).
import COpenSSL

/// Streaming SHA-256: feed pieces with `update`, read the digest with `finalize`.
///
/// Not thread-safe: one hasher per stream. After `finalize` the hasher starts over empty,
/// so one instance can hash many streams in turn.
public final class SHA256Hasher {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        self.context = context
        start()
    }

    deinit { EVP_MD_CTX_free(context) }

    private func start() {
        guard EVP_DigestInit_ex2(context, OpenSSL.sha256, nil) == 1 else {
            fatalError("SHA-256 init failed: \(OpenSSL.drainErrors())")
        }
    }

    /// Adds `data` to the stream.
    public func update(_ data: UnsafeRawBufferPointer) {
        guard data.count > 0 else { return }
        guard EVP_DigestUpdate(context, data.baseAddress, data.count) == 1 else {
            fatalError("SHA-256 update failed: \(OpenSSL.drainErrors())")
        }
    }

    /// Adds `bytes` to the stream.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest of everything fed since the last `finalize` (or `init`); then resets.
    public func finalize() -> [UInt8] {
        let digest = [UInt8](unsafeUninitializedCapacity: SHA256.byteCount) { digest, initialized in
            var length: UInt32 = 0
            guard EVP_DigestFinal_ex(context, digest.baseAddress, &length) == 1 else {
                fatalError("SHA-256 final failed: \(OpenSSL.drainErrors())")
            }
            initialized = Int(length)
        }
        start()
        return digest
    }
}
