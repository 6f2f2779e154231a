// Tests for gzip framing: round trips, interoperability with the gzip tool, and the output limit.
import Compression
import Testing

@Suite("Gzip")
struct GzipTests {
    func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    @Test("round-trips text, noise and empty input with a gzip header", arguments: [0, 1, 1000, 300_000])
    func roundTrip(size: Int) throws {
        for input in [TestData.text(size), TestData.noise(size)] {
            let packed = try Gzip.compress(input)
            #expect(packed.prefix(2) == [0x1f, 0x8b])
            #expect(try Gzip.decompress(packed, limit: size) == input)
        }
    }

    @Test("reads what the gzip tool wrote, including two concatenated members")
    func interoperates() throws {
        let single = bytes("1f8b0800000000000003cb48cdc9c9d751c8482c4bcde302002e3ec8c30d000000")
        #expect(try Gzip.decompress(single, limit: 100) == Array("hello, haven\n".utf8))
        let double = bytes("1f8b08000000000000032b482c2a51c8cf4be502000ca13df9090000001f8b08000000000000032b482c2a512829cfe70200e7013d9709000000")
        #expect(try Gzip.decompress(double, limit: 100) == Array("part one\npart two\n".utf8))
    }

    @Test("output past the limit throws limitExceeded, also for a highly compressed bomb")
    func limit() throws {
        let text = TestData.text(10_000)
        let packed = try Gzip.compress(text, level: 9)
        #expect(try Gzip.decompress(packed, limit: text.count) == text)
        #expect {
            _ = try Gzip.decompress(packed, limit: text.count - 1)
        } throws: { ($0 as? CompressionError)?.code == .limitExceeded }
        let bomb = try Gzip.compress([UInt8](repeating: 0, count: 20 << 20), level: 9)
        #expect(bomb.count < 100_000)
        #expect {
            _ = try Gzip.decompress(bomb, limit: 1 << 20)
        } throws: { ($0 as? CompressionError)?.code == .limitExceeded }
    }

    @Test("truncated, damaged, zlib-framed and empty data throw corruptInput")
    func corrupt() throws {
        let packed = try Gzip.compress(TestData.text(5000))
        for length in [0, 1, 10, packed.count / 2, packed.count - 1] {
            #expect {
                _ = try Gzip.decompress(Array(packed.prefix(length)), limit: 1 << 20)
            } throws: { ($0 as? CompressionError)?.code == .corruptInput }
        }
        var damaged = packed
        damaged[packed.count - 6] ^= 0x40
        #expect(throws: CompressionError.self) { _ = try Gzip.decompress(damaged, limit: 1 << 20) }
        let zlibFramed = try #require(try compress(Compressor(codec: .zlib), TestData.text(5000)))
        #expect(throws: CompressionError.self) { _ = try Gzip.decompress(zlibFramed, limit: 1 << 20) }
    }

    @Test("levels outside 0...9 are refused")
    func levels() {
        #expect(throws: CompressionError.self) { _ = try Gzip.compress([1], level: 10) }
        #expect(throws: CompressionError.self) { _ = try Gzip.compress([1], level: -1) }
    }
}
