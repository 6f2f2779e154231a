// SecretBytes owns key material in memory: one private allocation, wiped when the last reference goes.
import COpenSSL

/// Secret key material; zeroed with `OPENSSL_cleanse` when released. Immutable after init.
///
/// The bytes live in a private allocation instead of an `Array`, because Swift arrays copy on
/// write and grow by reallocating, leaving stray copies that nobody wipes.
/// `@unchecked Sendable` is safe because the storage is written only in `init` and read-only after.
public final class SecretBytes: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer

    /// Copies `bytes` into wiped-on-release storage. The caller should not keep `bytes` around.
    public convenience init(_ bytes: [UInt8]) {
        self.init(count: bytes.count) { target in bytes.withUnsafeBytes { target.copyMemory(from: $0) } }
    }

    /// Copies `buffer`; used by producers (slicing) that never hold the secret in an `Array`.
    convenience init(copying buffer: UnsafeRawBufferPointer) {
        self.init(count: buffer.count) { $0.copyMemory(from: buffer) }
    }

    /// Lets `fill` write `count` bytes straight into the wiped storage, so derived keys never pass
    /// through an intermediate buffer.
    init(count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        precondition(count >= 0, "SecretBytes count must not be negative")
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        self.count = count
        // If `fill` throws, the object is fully initialized, so `deinit` still wipes and frees.
        try fill(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
    }

    deinit {
        OPENSSL_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
    }

    /// `count` fresh bytes from the operating system's CSPRNG via OpenSSL.
    public static func random(count: Int) -> SecretBytes {
        SecretBytes(count: count) { SecureRandom.fill($0) }
    }

    /// The number of secret bytes.
    public let count: Int

    /// Lends the bytes to `body`; the pointer must not escape it.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// A copy of the bytes in `range`, for splitting one derived block into several keys.
    public func slice(_ range: Range<Int>) -> SecretBytes {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice \(range) is outside 0..<\(count)")
        return SecretBytes(copying: UnsafeRawBufferPointer(rebasing: storage[range]))
    }
}
