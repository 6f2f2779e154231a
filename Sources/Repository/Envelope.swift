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
        var header = [UInt8](repeating: 0, count: EnvelopeSealer.headerLength)
        let nonce = header.withUnsafeMutableBytes { nextHeader(into: $0) }
        output.append(contentsOf: header)
        try header.withUnsafeBytes { aad in
            try cipher.seal(payload, nonce: nonce, aad: aad, into: &output)
        }
    }

    /// Seals a blob in `buffer` without copying it through other memory: header, codec byte, the plaintext
    /// compressed straight into place (or copied raw when compressing does not make it smaller), encrypted in
    /// place, tag. Returns the envelope, valid until `buffer` is used again.
    func sealBlob(_ plaintext: UnsafeRawBufferPointer, compressor: Compressor?, in buffer: ScratchBuffer) throws -> UnsafeRawBufferPointer {
        let bodyStart = Self.headerLength + 1
        let room = buffer.room(bodyStart + plaintext.count + Self.tagLength)
        var codec = Codec.none
        var bodyLength = plaintext.count
        // Compressed output must beat the input by a byte, so the codec gets exactly that much room.
        if let compressor, plaintext.count > 1,
           let length = try compressor.compress(plaintext, into: UnsafeMutableRawBufferPointer(rebasing: room[bodyStart..<bodyStart + plaintext.count - 1])) {
            codec = compressor.codec
            bodyLength = length
        } else if !plaintext.isEmpty {
            (room.baseAddress! + bodyStart).copyMemory(from: plaintext.baseAddress!, byteCount: plaintext.count)
        }
        room[Self.headerLength] = codec.rawValue
        let total = bodyStart + bodyLength + Self.tagLength
        let nonce = nextHeader(into: UnsafeMutableRawBufferPointer(rebasing: room[0..<Self.headerLength]))
        try cipher.sealInPlace(UnsafeMutableRawBufferPointer(rebasing: room[Self.headerLength..<total]), nonce: nonce,
                               aad: UnsafeRawBufferPointer(rebasing: room[0..<Self.headerLength]))
        return UnsafeRawBufferPointer(rebasing: room[0..<total])
    }

    /// Writes the next envelope's header (version, session id, counter) into `header`'s 25 bytes; returns its nonce.
    private func nextHeader(into header: UnsafeMutableRawBufferPointer) -> [UInt8] {
        precondition(counter < 1 << 32, "an envelope session must not seal more than 2^32 payloads")
        header[0] = EnvelopeSealer.version
        sessionID.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: header[1..<17]).copyMemory(from: $0) }
        withUnsafeBytes(of: counter.littleEndian) { UnsafeMutableRawBufferPointer(rebasing: header[17..<25]).copyMemory(from: $0) }
        counter += 1
        return [0, 0, 0, 0] + header[17..<25]
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
        try check(envelope, what: what())
        return try [UInt8](unsafeUninitializedCapacity: envelope.count - EnvelopeSealer.overhead) { buffer, initialized in
            try open(envelope, into: UnsafeMutableRawBufferPointer(buffer), what: what())
            initialized = buffer.count
        }
    }

    /// Opens a blob envelope and expands its payload to exactly `expectedSize` bytes.
    func openBlob(_ envelope: UnsafeRawBufferPointer, expectedSize: Int, what: @autoclosure () -> String) throws -> [UInt8] {
        let payload = try open(envelope, what: what())
        guard let codecByte = payload.first else { throw RepositoryError(.corrupt, "\(what()) has an empty payload") }
        return try expand(payload[1...], codecByte: codecByte, expectedSize: expectedSize, what: what())
    }

    /// Opens a blob envelope into reused memory: the payload is decrypted into `payload` and expanded into
    /// `plaintext` (a raw blob is not copied again). Returns the plaintext, valid until either buffer is used again.
    func openBlob(_ envelope: UnsafeRawBufferPointer, expectedSize: Int, payload: ScratchBuffer, plaintext: ScratchBuffer,
                  what: @autoclosure () -> String) throws -> UnsafeRawBufferPointer {
        try check(envelope, what: what())
        let opened = payload.room(envelope.count - EnvelopeSealer.overhead)
        try open(envelope, into: opened, what: what())
        guard let codecByte = opened.first else { throw RepositoryError(.corrupt, "\(what()) has an empty payload") }
        guard let codec = Codec(rawValue: codecByte) else {
            throw RepositoryError(.corrupt, "\(what()) names an unknown compression codec")
        }
        let body = UnsafeRawBufferPointer(rebasing: opened[1...])
        if codec == .none {
            guard body.count == expectedSize else {
                throw RepositoryError(.corrupt, "\(what()) has \(body.count) bytes where \(expectedSize) were recorded")
            }
            return body
        }
        let expanded = plaintext.room(expectedSize)
        do {
            try decompressor.decompress(body, codec: codec, into: expanded)
        } catch {
            throw RepositoryError(.corrupt, "\(what()) does not decompress to its recorded size: \(error)")
        }
        return UnsafeRawBufferPointer(expanded)
    }

    private func check(_ envelope: UnsafeRawBufferPointer, what: @autoclosure () -> String) throws {
        guard envelope.count >= EnvelopeSealer.overhead, envelope[0] == EnvelopeSealer.version else {
            throw RepositoryError(.corrupt, "\(what()) is not a valid envelope (too short or unknown version)")
        }
    }

    /// Decrypts a checked envelope's payload into `output` (exactly its length).
    private func open(_ envelope: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                      what: @autoclosure () -> String) throws {
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
            try cipher.open(
                UnsafeRawBufferPointer(rebasing: envelope[EnvelopeSealer.headerLength...]), nonce: nonce,
                aad: UnsafeRawBufferPointer(rebasing: envelope[0..<EnvelopeSealer.headerLength]), into: output)
        } catch {
            throw RepositoryError(.corrupt, "\(what()) failed authentication: it was modified or damaged")
        }
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
