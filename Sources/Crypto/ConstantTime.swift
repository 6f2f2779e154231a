// ConstantTime owns comparisons of secrets (tags, tokens) that must not leak where they differ.
import COpenSSL

/// Whether `a` and `b` hold the same bytes, in time that depends only on their length
/// (`CRYPTO_memcmp`). False when the lengths differ; lengths are not secret.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    guard !a.isEmpty else { return true }
    return a.withUnsafeBytes { a in
        b.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 }
    }
}
