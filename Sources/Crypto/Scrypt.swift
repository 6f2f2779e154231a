// Scrypt owns turning a passphrase into a key with a memory-hard function (RFC 7914).
import COpenSSL

/// scrypt password-based key derivation (RFC 7914), via OpenSSL's `SCRYPT` KDF.
public enum Scrypt {
    /// The most memory one derivation may use (1 GiB). Parameters arrive from the vault with the
    /// wrapped key, so a bound keeps a hostile vault from exhausting the agent's memory.
    public static let maxMemoryBytes: UInt64 = 1 << 30

    /// Derives `length` bytes from `passphrase` and `salt`.
    ///
    /// `n` is the CPU/memory cost (a power of two > 1), `r` the block size and `p` the
    /// parallelism; memory use is about `128 * r * (n + p)` bytes (128 MiB for n = 2^17, r = 8).
    /// Throws `invalidInput` for parameters out of range or above `maxMemoryBytes`.
    public static func derive(passphrase: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64,
                              length: Int) throws -> SecretBytes {
        guard n > 1, n & (n - 1) == 0 else {
            throw CryptoError(.invalidInput, "scrypt N must be a power of two greater than 1, got \(n)")
        }
        guard r >= 1, p >= 1, r.multipliedReportingOverflow(by: p).partialValue < 1 << 30, r < 1 << 30, p < 1 << 30 else {
            throw CryptoError(.invalidInput, "scrypt r and p must be at least 1 with r * p below 2^30, got r = \(r), p = \(p)")
        }
        guard (1...(1 << 20)).contains(length) else {
            throw CryptoError(.invalidInput, "scrypt output must be 1 byte to 1 MiB, asked for \(length)")
        }
        let memory = requiredMemory(n: n, r: r, p: p)
        guard memory <= maxMemoryBytes else {
            throw CryptoError(.invalidInput, "scrypt with N = \(n), r = \(r), p = \(p) needs \(memory >> 20) MiB, above the \(maxMemoryBytes >> 20) MiB limit; use smaller parameters")
        }
        guard let context = EVP_KDF_CTX_new(OpenSSL.scrypt) else { throw OpenSSL.failure("EVP_KDF_CTX_new") }
        defer { EVP_KDF_CTX_free(context) }
        return try SecretBytes(count: length) { output in
            let derived = passphrase.withUnsafeBytes { passphrase in
                salt.withUnsafeBytes { salt in
                    OSSLParams.with([
                        .octets("pass", passphrase), .octets("salt", salt),
                        .uint64("n", n), .uint64("r", r), .uint64("p", p),
                        // OpenSSL's own estimate adds a little to ours; the slack keeps it from refusing.
                        .uint64("maxmem_bytes", memory + (1 << 20)),
                    ]) { params in
                        EVP_KDF_derive(context, output.baseAddress!.assumingMemoryBound(to: UInt8.self), length, params)
                    }
                }
            }
            guard derived == 1 else { throw OpenSSL.failure("scrypt") }
        }
    }

    /// Memory for scrypt's V array (128·r·N) and B blocks (128·r·p), saturating instead of overflowing.
    static func requiredMemory(n: UInt64, r: UInt64, p: UInt64) -> UInt64 {
        let v = (128 * r).multipliedReportingOverflow(by: n + 2)
        let b = (128 * r).multipliedReportingOverflow(by: p)
        let sum = v.partialValue.addingReportingOverflow(b.partialValue)
        return v.overflow || b.overflow || sum.overflow ? .max : sum.partialValue
    }
}
