// Tests for the small primitives: hex, constant-time comparison, secret bytes and randomness.
import Crypto
import Testing

@Suite("Hex, constant-time equality, SecretBytes, SecureRandom")
struct PrimitivesTests {
    @Test("hex round-trips every byte value and encodes lowercase")
    func hexRoundTrip() {
        let all = (0...255).map { UInt8($0) }
        let text = Hex.encode(all)
        #expect(text.count == 512)
        #expect(text.hasPrefix("000102") && text.hasSuffix("fdfeff"))
        #expect(Hex.decode(text) == all)
        #expect(Hex.decode("DEADbeef") == [0xde, 0xad, 0xbe, 0xef])
        #expect(Hex.encode([]) == "" && Hex.decode("") == [])
    }

    @Test("hex decoding rejects odd lengths and non-hex characters", arguments: ["a", "abc", "0g", "zz", " 0", "0x00", "ab-cd", "é0"])
    func hexRejects(text: String) {
        #expect(Hex.decode(text) == nil)
    }

    @Test("constant-time equality compares contents and treats different lengths as unequal")
    func constantTime() {
        #expect(constantTimeEquals([], []))
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([0, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!constantTimeEquals([], [0]))
    }

    @Test("SecretBytes keeps its bytes and slices copy the requested range")
    func secretBytes() {
        let secret = SecretBytes(Array(0..<64))
        #expect(secret.count == 64)
        #expect(secret.withUnsafeBytes { Array($0) } == Array(0..<64))
        let tail = secret.slice(32..<64)
        #expect(tail.count == 32)
        #expect(tail.withUnsafeBytes { Array($0) } == Array(32..<64))
        #expect(SecretBytes([]).count == 0)
        #expect(secret.slice(10..<10).count == 0)
    }

    @Test("random bytes have the requested length and differ between draws")
    func randomness() {
        #expect(SecureRandom.bytes(0).isEmpty)
        let a = SecureRandom.bytes(32)
        let b = SecureRandom.bytes(32)
        #expect(a.count == 32 && a != b)
        let keyA = SecretBytes.random(count: 32).withUnsafeBytes { Array($0) }
        let keyB = SecretBytes.random(count: 32).withUnsafeBytes { Array($0) }
        #expect(keyA != keyB)
        var buffer = [UInt8](repeating: 0, count: 4096)
        buffer.withUnsafeMutableBytes { SecureRandom.fill($0) }
        #expect(Set(buffer).count > 200)
    }

    @Test("errors describe themselves with their message")
    func errorDescription() {
        let error = CryptoError(.invalidKey, "an AES-256-GCM key must be 32 bytes")
        #expect(error.description == "an AES-256-GCM key must be 32 bytes")
        #expect(error.code == .invalidKey)
    }
}
