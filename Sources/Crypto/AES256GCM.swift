// AES256GCM owns authenticated encryption of blobs: AES-256 in Galois/Counter Mode through OpenSSL EVP.
import COpenSSL

/// AES-256-GCM with a 12-byte nonce and a 16-byte tag appended to the ciphertext.
///
/// Thread-safe: each call builds its own `EVP_CIPHER_CTX` (key expansion with AES-NI costs well
/// under a microsecond), so one value can seal from many threads at once. A nonce must never repeat
/// under the same key; choosing nonces is the caller's job.
public struct AES256GCM: Sendable {
    public static let keyByteCount = 32
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    private static let zeroTag = [UInt8](repeating: 0, count: tagByteCount)

    private let key: SecretBytes

    /// Throws `invalidKey` unless `key` is exactly 32 bytes.
    public init(key: SecretBytes) throws {
        guard key.count == Self.keyByteCount else {
            throw CryptoError(.invalidKey, "an AES-256-GCM key must be 32 bytes, got \(key.count); derive it with HKDF or Scrypt")
        }
        self.key = key
    }

    /// Appends ciphertext || tag (`plaintext.count + 16` bytes) to `output`.
    public func seal(_ plaintext: UnsafeRawBufferPointer, nonce: [UInt8], aad: UnsafeRawBufferPointer,
                     into output: inout [UInt8]) throws {
        let start = output.count
        // Copying the plaintext into place and encrypting in place (which GCM allows) is one memcpy,
        // cheaper than zero-filling the room first; the tag's room is filled after.
        output.reserveCapacity(start + plaintext.count + Self.tagByteCount)
        output.append(contentsOf: plaintext)
        output.append(contentsOf: Self.zeroTag)
        do {
            try output.withUnsafeMutableBytes { buffer in
                try sealInPlace(UnsafeMutableRawBufferPointer(rebasing: buffer[start...]), nonce: nonce, aad: aad)
            }
        } catch {
            output.removeLast(output.count - start)
            throw error
        }
    }

    /// Encrypts `buffer`'s first `buffer.count - 16` bytes in place and writes the tag into its last 16 bytes.
    public func sealInPlace(_ buffer: UnsafeMutableRawBufferPointer, nonce: [UInt8], aad: UnsafeRawBufferPointer) throws {
        guard buffer.count >= Self.tagByteCount else {
            throw CryptoError(.invalidInput, "sealing in place needs 16 bytes of room for the tag, the buffer has \(buffer.count)")
        }
        let context = try makeContext(nonce: nonce, encrypting: true)
        defer { EVP_CIPHER_CTX_free(context) }
        try feedAAD(aad, to: context, encrypting: true)
        let length = buffer.count - Self.tagByteCount
        // An empty plaintext still has the tag's room, so the base address exists.
        let out = buffer.baseAddress!
        var finalLength: Int32 = 0
        guard Self.update(context, out, UnsafeRawBufferPointer(start: out, count: length), encrypting: true),
              EVP_EncryptFinal_ex(context, (out + length).assumingMemoryBound(to: UInt8.self), &finalLength) == 1,
              EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(Self.tagByteCount), out + length) == 1
        else { throw OpenSSL.failure("AES-256-GCM seal") }
    }

    /// Returns the plaintext, or throws `authenticationFailed` for any tampering: wrong key,
    /// flipped bit, truncated input, wrong nonce or wrong additional data.
    public func open(_ ciphertextAndTag: UnsafeRawBufferPointer, nonce: [UInt8], aad: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard ciphertextAndTag.count >= Self.tagByteCount else { throw Self.truncated(ciphertextAndTag.count) }
        return try [UInt8](unsafeUninitializedCapacity: ciphertextAndTag.count - Self.tagByteCount) { buffer, initialized in
            try open(ciphertextAndTag, nonce: nonce, aad: aad, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = buffer.count
        }
    }

    /// Decrypts into `output`, which must hold exactly `ciphertextAndTag.count - 16` bytes, or throws
    /// `authenticationFailed` for any tampering (and `output` then holds nothing usable).
    public func open(_ ciphertextAndTag: UnsafeRawBufferPointer, nonce: [UInt8], aad: UnsafeRawBufferPointer,
                     into output: UnsafeMutableRawBufferPointer) throws {
        guard ciphertextAndTag.count >= Self.tagByteCount else { throw Self.truncated(ciphertextAndTag.count) }
        let length = ciphertextAndTag.count - Self.tagByteCount
        guard output.count == length else {
            throw CryptoError(.invalidInput, "the output for \(length) bytes of plaintext has room for \(output.count)")
        }
        let context = try makeContext(nonce: nonce, encrypting: false)
        defer { EVP_CIPHER_CTX_free(context) }
        try feedAAD(aad, to: context, encrypting: false)
        var tag = [UInt8](UnsafeRawBufferPointer(rebasing: ciphertextAndTag[length...]))
        var scratch = [UInt8](repeating: 0, count: 16)
        var finalLength: Int32 = 0
        // An empty output has no base address; `update` then runs no iterations, so nil is harmless.
        let ciphertext = UnsafeRawBufferPointer(rebasing: ciphertextAndTag[..<length])
        let authentic = Self.update(context, output.baseAddress, ciphertext, encrypting: false)
            && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(Self.tagByteCount), &tag) == 1
            && EVP_DecryptFinal_ex(context, &scratch, &finalLength) == 1
        guard authentic else {
            ERR_clear_error()
            throw CryptoError(.authenticationFailed, "the sealed data failed authentication: it was altered or truncated, or the key, nonce or additional data differ from sealing")
        }
    }

    private static func truncated(_ count: Int) -> CryptoError {
        CryptoError(.authenticationFailed, "the sealed data is \(count) bytes, shorter than its 16-byte tag; it is truncated")
    }

    private func makeContext(nonce: [UInt8], encrypting: Bool) throws -> OpaquePointer {
        guard nonce.count == Self.nonceByteCount else {
            throw CryptoError(.invalidInput, "an AES-256-GCM nonce must be 12 bytes, got \(nonce.count)")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw OpenSSL.failure("EVP_CIPHER_CTX_new") }
        let initialized = key.withUnsafeBytes { key in
            let key = key.baseAddress!.assumingMemoryBound(to: UInt8.self)
            return encrypting
                ? EVP_EncryptInit_ex2(context, OpenSSL.aes256GCM, key, nonce, nil)
                : EVP_DecryptInit_ex2(context, OpenSSL.aes256GCM, key, nonce, nil)
        }
        guard initialized == 1 else {
            EVP_CIPHER_CTX_free(context)
            throw OpenSSL.failure("AES-256-GCM init")
        }
        return context
    }

    private func feedAAD(_ aad: UnsafeRawBufferPointer, to context: OpaquePointer, encrypting: Bool) throws {
        guard Self.update(context, nil, aad, encrypting: encrypting) else {
            throw OpenSSL.failure("AES-256-GCM additional data")
        }
    }

    /// Runs EVP update in pieces that fit its `Int32` length; GCM output is exactly as long as input.
    /// A nil `output` feeds additional authenticated data.
    private static func update(_ context: OpaquePointer, _ output: UnsafeMutableRawPointer?,
                               _ input: UnsafeRawBufferPointer, encrypting: Bool) -> Bool {
        var offset = 0
        while offset < input.count {
            let step = min(input.count - offset, 1 << 30)
            let source = (input.baseAddress! + offset).assumingMemoryBound(to: UInt8.self)
            let target = output.map { ($0 + offset).assumingMemoryBound(to: UInt8.self) }
            var written: Int32 = 0
            let ok = encrypting
                ? EVP_EncryptUpdate(context, target, &written, source, Int32(step))
                : EVP_DecryptUpdate(context, target, &written, source, Int32(step))
            guard ok == 1 else { return false }
            offset += step
        }
        return true
    }
}
