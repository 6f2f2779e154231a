// SHA256 owns one-shot SHA-256 digests through OpenSSL's EVP interface (SHA-NI accelerated where the CPU has it).
import COpenSSL

/// One-shot SHA-256. Content ids, fingerprints and verification use this.
public enum SHA256 {
    /// The digest length in bytes.
    public static let byteCount = 32

    /// The 32-byte SHA-256 digest of `data`.
    public static func hash(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: byteCount) { digest, initialized in
            var length: UInt32 = 0
            // EVP_Digest can fail only on allocation failure, which Swift treats as fatal everywhere else too.
            guard EVP_Digest(data.nonNullBase, data.count, digest.baseAddress, &length, OpenSSL.sha256, nil) == 1 else {
                fatalError("SHA-256 failed: \(OpenSSL.drainErrors())")
            }
            initialized = Int(length)
        }
    }

    /// The 32-byte SHA-256 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }
}
