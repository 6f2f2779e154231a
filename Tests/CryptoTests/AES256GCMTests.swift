// Tests for AES-256-GCM: known answers, round trips, and rejection of every kind of tampering.
import Crypto
import Testing

@Suite("AES-256-GCM")
struct AES256GCMTests {
    let key = SecretBytes.random(count: 32)
    let nonce = SecureRandom.bytes(12)

    func seal(_ cipher: AES256GCM, _ plaintext: [UInt8], nonce: [UInt8], aad: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        try plaintext.withUnsafeBytes { plaintext in
            try aad.withUnsafeBytes { aad in try cipher.seal(plaintext, nonce: nonce, aad: aad, into: &output) }
        }
        return output
    }

    func open(_ cipher: AES256GCM, _ sealed: [UInt8], nonce: [UInt8], aad: [UInt8]) throws -> [UInt8] {
        try sealed.withUnsafeBytes { sealed in
            try aad.withUnsafeBytes { aad in try cipher.open(sealed, nonce: nonce, aad: aad) }
        }
    }

    func expectAuthenticationFailure(_ body: () throws -> [UInt8]) {
        #expect {
            _ = try body()
        } throws: { error in
            (error as? CryptoError)?.code == .authenticationFailed
        }
    }

    @Test("matches the GCM specification's test case 16 (256-bit key, with AAD)")
    func knownAnswerWithAAD() throws {
        let cipher = try AES256GCM(key: SecretBytes(hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")))
        let plaintext = hex("""
            d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
            1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39
            """)
        let aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let nonce = hex("cafebabefacedbaddecaf888")
        let expected = hex("""
            522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
            8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662
            76fc6ece0f4e1768cddf8853bb2d551b
            """)
        #expect(try seal(cipher, plaintext, nonce: nonce, aad: aad) == expected)
        #expect(try open(cipher, expected, nonce: nonce, aad: aad) == plaintext)
    }

    @Test("matches the GCM specification's test cases 13 and 14 (zero key, empty and one-block input)")
    func knownAnswerZeroKey() throws {
        let cipher = try AES256GCM(key: SecretBytes([UInt8](repeating: 0, count: 32)))
        let zeroNonce = [UInt8](repeating: 0, count: 12)
        #expect(try seal(cipher, [], nonce: zeroNonce, aad: []) == hex("530f8afbc74536b9a963b4f1c4cb738b"))
        #expect(try seal(cipher, [UInt8](repeating: 0, count: 16), nonce: zeroNonce, aad: [])
            == hex("cea7403d4d606b6e074ec5d3baf39d18 d0d1c8a799996bf0265b98b5d48ab919"))
    }

    @Test("round-trips empty, small and multi-megabyte plaintexts", arguments: [0, 1, 15, 16, 17, 4096, 3 << 20])
    func roundTrip(size: Int) throws {
        let cipher = try AES256GCM(key: key)
        let plaintext = SecureRandom.bytes(size)
        let sealed = try seal(cipher, plaintext, nonce: nonce, aad: utf8("header"))
        #expect(sealed.count == size + 16)
        #expect(try open(cipher, sealed, nonce: nonce, aad: utf8("header")) == plaintext)
    }

    @Test("seal appends to what the output already holds")
    func sealAppends() throws {
        let cipher = try AES256GCM(key: key)
        var output: [UInt8] = [1, 2, 3]
        try [UInt8](repeating: 7, count: 10).withUnsafeBytes { plaintext in
            try cipher.seal(plaintext, nonce: nonce, aad: UnsafeRawBufferPointer(start: nil, count: 0), into: &output)
        }
        #expect(output.count == 3 + 10 + 16)
        #expect(Array(output.prefix(3)) == [1, 2, 3])
        #expect(try open(cipher, Array(output.dropFirst(3)), nonce: nonce, aad: []) == [UInt8](repeating: 7, count: 10))
    }

    @Test("detects every single-bit flip in ciphertext, tag, nonce and additional data")
    func everyBitFlipDetected() throws {
        let cipher = try AES256GCM(key: key)
        let plaintext = utf8("attack at dawn, bring snacks")
        let aad = utf8("pack-0001")
        let sealed = try seal(cipher, plaintext, nonce: nonce, aad: aad)
        for bit in 0..<(sealed.count * 8) {
            var tampered = sealed
            tampered[bit / 8] ^= 1 << (bit % 8)
            expectAuthenticationFailure { try open(cipher, tampered, nonce: nonce, aad: aad) }
        }
        for bit in 0..<(nonce.count * 8) {
            var tampered = nonce
            tampered[bit / 8] ^= 1 << (bit % 8)
            expectAuthenticationFailure { try open(cipher, sealed, nonce: tampered, aad: aad) }
        }
        for bit in 0..<(aad.count * 8) {
            var tampered = aad
            tampered[bit / 8] ^= 1 << (bit % 8)
            expectAuthenticationFailure { try open(cipher, sealed, nonce: nonce, aad: tampered) }
        }
        #expect(try open(cipher, sealed, nonce: nonce, aad: aad) == plaintext)
    }

    @Test("rejects a different key, missing or extra additional data")
    func wrongKeyAndAAD() throws {
        let cipher = try AES256GCM(key: key)
        let sealed = try seal(cipher, utf8("secret"), nonce: nonce, aad: utf8("a"))
        let other = try AES256GCM(key: SecretBytes.random(count: 32))
        expectAuthenticationFailure { try open(other, sealed, nonce: nonce, aad: utf8("a")) }
        expectAuthenticationFailure { try open(cipher, sealed, nonce: nonce, aad: []) }
        expectAuthenticationFailure { try open(cipher, sealed, nonce: nonce, aad: utf8("ab")) }
    }

    @Test("rejects every truncation and an appended byte")
    func truncationRejected() throws {
        let cipher = try AES256GCM(key: key)
        let sealed = try seal(cipher, utf8("twenty bytes exactly"), nonce: nonce, aad: [])
        for length in 0..<sealed.count {
            expectAuthenticationFailure { try open(cipher, Array(sealed.prefix(length)), nonce: nonce, aad: []) }
        }
        expectAuthenticationFailure { try open(cipher, sealed + [0], nonce: nonce, aad: []) }
    }

    @Test("refuses keys that are not 32 bytes and nonces that are not 12 bytes")
    func parameterLengths() throws {
        for length in [0, 16, 31, 33] {
            #expect(throws: CryptoError.self) { try AES256GCM(key: SecretBytes.random(count: length)) }
        }
        let cipher = try AES256GCM(key: key)
        for length in [0, 8, 11, 13, 16] {
            #expect {
                _ = try seal(cipher, utf8("x"), nonce: [UInt8](repeating: 1, count: length), aad: [])
            } throws: { ($0 as? CryptoError)?.code == .invalidInput }
        }
    }

    @Test("one cipher value seals and opens concurrently from many tasks")
    func concurrentUse() async throws {
        let cipher = try AES256GCM(key: key)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let nonce = SecureRandom.bytes(12)
                    for round in 0..<200 {
                        let plaintext = [UInt8](repeating: UInt8(truncatingIfNeeded: task &+ round), count: 100 + round)
                        let sealed = try seal(cipher, plaintext, nonce: nonce, aad: [UInt8(task)])
                        guard try open(cipher, sealed, nonce: nonce, aad: [UInt8(task)]) == plaintext else { return false }
                    }
                    return true
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }
}
