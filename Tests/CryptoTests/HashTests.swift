// Tests for SHA-256 (one-shot and streaming) and HMAC-SHA-256 against published answers.
import Crypto
import Testing

@Suite("SHA-256 and HMAC-SHA-256")
struct HashTests {
    @Test("SHA-256 matches FIPS 180-2 answers for empty, 'abc' and the two-block message")
    func sha256KnownAnswers() {
        #expect(Hex.encode(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode(SHA256.hash(utf8("abc"))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(SHA256.hash(utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("SHA-256 of one million 'a' matches the FIPS 180-2 answer")
    func sha256Million() {
        #expect(Hex.encode(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("streaming in uneven pieces gives the one-shot digest, and finalize starts a fresh stream")
    func streamingEqualsOneShot() {
        let data = SecureRandom.bytes(100_003)
        let hasher = SHA256Hasher()
        var offset = 0
        var step = 1
        while offset < data.count {
            let end = min(offset + step, data.count)
            data[offset..<end].withUnsafeBytes { hasher.update($0) }
            offset = end
            step = step * 3 + 1
        }
        #expect(hasher.finalize() == SHA256.hash(data))
        hasher.update(utf8("abc"))
        #expect(hasher.finalize() == SHA256.hash(utf8("abc")))
        #expect(hasher.finalize() == SHA256.hash([]))
    }

    @Test("HMAC-SHA-256 matches RFC 4231 test cases 1, 2 and 6 (key longer than a block)")
    func hmacKnownAnswers() {
        let case1 = HMACSHA256(key: SecretBytes([UInt8](repeating: 0x0b, count: 20)))
        #expect(Hex.encode(case1.authenticate(utf8("Hi There")))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        let case2 = HMACSHA256(key: SecretBytes(utf8("Jefe")))
        #expect(Hex.encode(case2.authenticate(utf8("what do ya want for nothing?")))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let case6 = HMACSHA256(key: SecretBytes([UInt8](repeating: 0xaa, count: 131)))
        #expect(Hex.encode(case6.authenticate(utf8("Test Using Larger Than Block-Size Key - Hash Key First")))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test("HMAC gives the same tag on repeated calls and different tags for different keys and data")
    func hmacIsAFunctionOfKeyAndData() {
        let key = SecretBytes.random(count: 32)
        let mac = HMACSHA256(key: key)
        let data = SecureRandom.bytes(5000)
        let tag = mac.authenticate(data)
        #expect(tag.count == 32)
        #expect(mac.authenticate(data) == tag)
        #expect(HMACSHA256(key: key).authenticate(data) == tag)
        #expect(HMACSHA256(key: SecretBytes.random(count: 32)).authenticate(data) != tag)
        #expect(mac.authenticate(Array(data.dropLast())) != tag)
        #expect(mac.authenticate([]).count == 32)
    }

    @Test("one HMAC instance gives correct tags from many tasks at once")
    func hmacConcurrent() async {
        let mac = HMACSHA256(key: SecretBytes(utf8("Jefe")))
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<500).allSatisfy { _ in Hex.encode(mac.authenticate(utf8("what do ya want for nothing?"))) == expected }
                }
            }
            for await ok in group { #expect(ok) }
        }
    }
}
