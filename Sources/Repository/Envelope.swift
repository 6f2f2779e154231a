import Compression
import Crypto

/// Seals payloads into envelopes: a per-session key from HKDF and a counter nonce that never repeats.
///
/// One sealer belongs to one thread: it is not Sendable, and its counter is plain state.
public final class EnvelopeSealer {
    static let version: UInt8 = 1
    static let headerLength = 25
    static let tagLength = 16
    /// Envelope bytes beyond the payload.
    public static let overhead = headerLength + tagLength

    private let sessionID: [UInt8]
    private var counter: UInt64 = 0
    private let cipher: AES256GCM

    init(key: MasterKey) {
        sessionID = SecureRandom.bytes(16)
        let sessionKey = HKDF.sha256(key: key.encryptionKey, salt: sessionID, info: EnvelopeOpener.info, length: 32)
        cipher = try! AES256GCM(key: sessionKey)  // a 32-byte key is always accepted
    }

    /// Appends the envelope of `payload` (codec byte included) to `output`.
    func seal(_ payload: UnsafeRawBufferPointer, into output: inout [UInt8]) throws {
        precondition(counter < 1 << 32, "an envelope session must not seal more than 2^32 payloads")
        var header = [UInt8](repeating: 0, count: EnvelopeSealer.headerLength)
        header[0] = EnvelopeSealer.version
        header.replaceSubrange(1..<17, with: sessionID)
        withUnsafeBytes(of: counter.littleEndian) { header.replaceSubrange(17..<25, with: $0) }
        let nonce = [0, 0, 0, 0] + header[17..<25]
        counter += 1
        output.append(contentsOf: header)
        try header.withUnsafeBytes { aad in
            try cipher.seal(payload, nonce: Array(nonce), aad: aad, into: &output)
        }
    }

}

/// Opens envelopes; caches the per-session keys it derives. Not Sendable: one per thread.
public final class EnvelopeOpener {
    static let info = Array("haven-envelope-v1".utf8)

    private let encryptionKey: SecretBytes
    private var ciphers: [[UInt8]: AES256GCM] = [:]
    private let decompressor = Decompressor()

    init(key: MasterKey) {
        encryptionKey = key.encryptionKey
    }

    /// The payload (codec byte first) of an envelope, or an error naming `what` if it was tampered with.
    func open(_ envelope: UnsafeRawBufferPointer, what: @autoclosure () -> String) throws -> [UInt8] {
        guard envelope.count >= EnvelopeSealer.overhead, envelope[0] == EnvelopeSealer.version else {
            throw RepositoryError(.corrupt, "\(what()) is not a valid envelope (too short or unknown version)")
        }
        let sessionID = Array(envelope[1..<17])
        let cipher: AES256GCM
        if let cached = ciphers[sessionID] {
            cipher = cached
        } else {
            let key = HKDF.sha256(key: encryptionKey, salt: sessionID, info: EnvelopeOpener.info, length: 32)
            cipher = try! AES256GCM(key: key)
            if ciphers.count > 4096 { ciphers.removeAll(keepingCapacity: true) }
            ciphers[sessionID] = cipher
        }
        let nonce = [0, 0, 0, 0] + Array(envelope[17..<25])
        do {
            return try cipher.open(
                UnsafeRawBufferPointer(rebasing: envelope[EnvelopeSealer.headerLength...]), nonce: nonce,
                aad: UnsafeRawBufferPointer(rebasing: envelope[0..<EnvelopeSealer.headerLength]))
        } catch {
            throw RepositoryError(.corrupt, "\(what()) failed authentication: it was modified or damaged")
        }
    }

    /// Opens a blob envelope and expands its payload to exactly `expectedSize` bytes.
    func openBlob(_ envelope: UnsafeRawBufferPointer, expectedSize: Int, what: @autoclosure () -> String) throws -> [UInt8] {
        let payload = try open(envelope, what: what())
        guard let codecByte = payload.first else { throw RepositoryError(.corrupt, "\(what()) has an empty payload") }
        return try expand(payload[1...], codecByte: codecByte, expectedSize: expectedSize, what: what())
    }

    /// Opens an object envelope (config, index, recovery point, pack header): its payload carries the plaintext length.
    func openObject(_ envelope: [UInt8], what: @autoclosure () -> String) throws -> [UInt8] {
        let payload = try envelope.withUnsafeBytes { raw in try open(raw, what: what()) }
        guard let codecByte = payload.first else { throw RepositoryError(.corrupt, "\(what()) has an empty payload") }
        var reader = ByteReader(payload, offset: 1, what: what())
        let length: UInt64
        do { length = try reader.readUVarint() } catch { throw RepositoryError(.corrupt, "\(what()) has no length") }
        guard length <= UInt64(Self.maxObjectPlaintext) else {
            throw RepositoryError(.corrupt, "\(what()) declares an implausible size of \(length) bytes")
        }
        return try expand(payload[reader.offset...], codecByte: codecByte, expectedSize: Int(length), what: what())
    }

    private func expand(_ body: ArraySlice<UInt8>, codecByte: UInt8, expectedSize: Int, what: @autoclosure () -> String) throws -> [UInt8] {
        guard let codec = Codec(rawValue: codecByte) else {
            throw RepositoryError(.corrupt, "\(what()) names an unknown compression codec")
        }
        if codec == .none {
            guard body.count == expectedSize else {
                throw RepositoryError(.corrupt, "\(what()) has \(body.count) bytes where \(expectedSize) were recorded")
            }
            return Array(body)
        }
        do {
            return try body.withUnsafeBytes { try decompressor.decompress($0, codec: codec, expectedSize: expectedSize) }
        } catch {
            throw RepositoryError(.corrupt, "\(what()) does not decompress to its recorded size: \(error)")
        }
    }

    static let maxObjectPlaintext = 1 << 31
}

extension EnvelopeSealer {
    /// Seals an object's plaintext as codec byte, uvarint plaintext length, then the (maybe compressed) bytes.
    func sealObject(_ plaintext: [UInt8], compressor: Compressor?) throws -> [UInt8] {
        var payload = ByteWriter(capacity: plaintext.count / 2 + 16)
        payload.append(Codec.none.rawValue)
        payload.appendUVarint(UInt64(plaintext.count))
        let bodyStart = payload.bytes.count
        var compressed = false
        if let compressor {
            compressed = try plaintext.withUnsafeBytes { try compressor.compress($0, into: &payload.bytes) }
            if compressed { payload.bytes[0] = compressor.codec.rawValue }
        }
        if !compressed {
            payload.bytes.removeSubrange(bodyStart...)
            payload.append(contentsOf: plaintext)
        }
        var out: [UInt8] = []
        out.reserveCapacity(payload.bytes.count + EnvelopeSealer.overhead)
        try payload.bytes.withUnsafeBytes { try seal($0, into: &out) }
        return out
    }
}
