// SecureRandom owns randomness: every nonce, salt and key in Haven comes from here.
import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG, seeded by the kernel.
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0, "cannot draw a negative number of random bytes")
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Overwrites `buffer` with random bytes.
    ///
    /// A failing DRBG means the kernel cannot supply entropy; continuing would risk repeated nonces
    /// and guessable keys, so this stops the process instead of returning weak bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard var next = buffer.baseAddress else { return }
        var remaining = buffer.count
        while remaining > 0 {
            let step = min(remaining, Int(Int32.max))
            guard RAND_bytes(next.assumingMemoryBound(to: UInt8.self), Int32(step)) == 1 else {
                fatalError("OpenSSL RAND_bytes failed: \(OpenSSL.drainErrors()); the system has no usable entropy source")
            }
            next += step
            remaining -= step
        }
    }
}
