// Tests for HKDF and scrypt against their RFC vectors, and for scrypt's parameter limits.
import Crypto
import Testing

@Suite("HKDF and scrypt")
struct KeyDerivationTests {
    func bytes(_ secret: SecretBytes) -> [UInt8] { secret.withUnsafeBytes { Array($0) } }

    @Test("HKDF-SHA-256 matches RFC 5869 test case 1")
    func hkdfCase1() {
        let okm = HKDF.sha256(key: SecretBytes([UInt8](repeating: 0x0b, count: 22)),
                              salt: hex("000102030405060708090a0b0c"), info: hex("f0f1f2f3f4f5f6f7f8f9"), length: 42)
        #expect(bytes(okm) == hex("""
            3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf
            34007208d5b887185865
            """))
    }

    @Test("HKDF-SHA-256 matches RFC 5869 test case 3 (empty salt and info)")
    func hkdfCase3() {
        let okm = HKDF.sha256(key: SecretBytes([UInt8](repeating: 0x0b, count: 22)), salt: [], info: [], length: 42)
        #expect(bytes(okm) == hex("""
            8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d
            9d201395faa4b61a96c8
            """))
    }

    @Test("HKDF gives different keys for different info strings")
    func hkdfSeparatesPurposes() {
        let master = SecretBytes.random(count: 32)
        let data = HKDF.sha256(key: master, salt: [], info: utf8("haven data"), length: 32)
        let ids = HKDF.sha256(key: master, salt: [], info: utf8("haven ids"), length: 32)
        #expect(bytes(data) != bytes(ids))
        #expect(bytes(data) == bytes(HKDF.sha256(key: master, salt: [], info: utf8("haven data"), length: 32)))
    }

    @Test("scrypt matches RFC 7914 vector N=1024, r=8, p=16, 'password'/'NaCl'")
    func scryptRFC() throws {
        let key = try Scrypt.derive(passphrase: utf8("password"), salt: utf8("NaCl"), n: 1024, r: 8, p: 16, length: 64)
        #expect(bytes(key) == hex("""
            fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162
            2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640
            """))
    }

    @Test("scrypt matches RFC 7914 vector with empty passphrase and salt")
    func scryptEmpty() throws {
        let key = try Scrypt.derive(passphrase: [], salt: [], n: 16, r: 1, p: 1, length: 64)
        #expect(bytes(key) == hex("""
            77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442
            fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906
            """))
    }

    @Test("scrypt runs Haven's production cost N=2^17, r=8, p=1 within its memory limit")
    func scryptProductionCost() throws {
        let key = try Scrypt.derive(passphrase: utf8("correct horse battery staple"), salt: SecureRandom.bytes(16),
                                    n: 1 << 17, r: 8, p: 1, length: 32)
        #expect(key.count == 32)
    }

    @Test("scrypt rejects a non-power-of-two N, zero r or p, and memory above the limit",
          arguments: [(UInt64(1000), UInt64(8), UInt64(1)), (1, 8, 1), (1024, 0, 1), (1024, 8, 0), (1 << 21, 8, 1)])
    func scryptLimits(n: UInt64, r: UInt64, p: UInt64) {
        #expect {
            _ = try Scrypt.derive(passphrase: utf8("pw"), salt: utf8("salt"), n: n, r: r, p: p, length: 32)
        } throws: { ($0 as? CryptoError)?.code == .invalidInput }
    }
}
