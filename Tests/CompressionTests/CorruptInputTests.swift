// Tests that damaged, truncated, mislabelled or mis-sized compressed data throws instead of crashing or lying.
import Compression
import Testing

@Suite("Decompressor on hostile input")
struct CorruptInputTests {
    let text = TestData.text(3000, seed: 7)

    func compressed(_ codec: Codec) throws -> [UInt8] {
        try #require(try compress(Compressor(codec: codec), text))
    }

    func expectFailure(_ bytes: [UInt8], _ codec: Codec, expectedSize: Int,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: CompressionError.self, sourceLocation: sourceLocation) {
            _ = try decompress(bytes, codec, expectedSize: expectedSize)
        }
    }

    /// Both formats have bits the decoder ignores (zstd's unused header bit, deflate's padding after
    /// the last block); flipping those changes nothing, so the rule is: never different bytes.
    @Test("no single-bit flip yields different bytes: each throws or is a bit the format ignores",
          arguments: [Codec.zstd, .zlib])
    func bitFlips(codec: Codec) throws {
        let good = try compressed(codec)
        let decompressor = Decompressor()
        var wrong: [Int] = []
        var harmless = 0
        for bit in 0..<(good.count * 8) {
            var bad = good
            bad[bit / 8] ^= 1 << (bit % 8)
            guard let result = try? bad.withUnsafeBytes({ try decompressor.decompress($0, codec: codec, expectedSize: text.count) })
            else { continue }
            if result == text { harmless += 1 } else { wrong.append(bit) }
        }
        #expect(wrong.isEmpty, "flipping bits \(wrong) gave wrong output without an error")
        #expect(harmless < 64, "\(harmless) of \(good.count * 8) flips went unnoticed")
    }

    @Test("every truncation throws", arguments: [Codec.zstd, .zlib])
    func truncations(codec: Codec) throws {
        let good = try compressed(codec)
        for length in 0..<good.count {
            expectFailure(Array(good.prefix(length)), codec, expectedSize: text.count)
        }
    }

    @Test("trailing bytes after the stream throw", arguments: [Codec.zstd, .zlib])
    func trailingBytes(codec: Codec) throws {
        expectFailure(try compressed(codec) + [0], codec, expectedSize: text.count)
        expectFailure(try compressed(codec) + [0x28, 0xb5, 0x2f, 0xfd], codec, expectedSize: text.count)
    }

    @Test("a wrong expected size throws sizeMismatch", arguments: [Codec.zstd, .zlib])
    func wrongSize(codec: Codec) throws {
        let good = try compressed(codec)
        for size in [0, 1, text.count - 1, text.count + 1, text.count * 100] {
            #expect {
                _ = try decompress(good, codec, expectedSize: size)
            } throws: { ($0 as? CompressionError)?.code == .sizeMismatch }
        }
        #expect(throws: CompressionError.self) { _ = try decompress([1, 2, 3], .none, expectedSize: 4) }
        #expect(throws: CompressionError.self) { _ = try decompress(good, codec, expectedSize: -1) }
    }

    @Test("data in another codec, garbage and empty input throw", arguments: [Codec.zstd, .zlib])
    func wrongCodecAndGarbage(codec: Codec) throws {
        let other: Codec = codec == .zstd ? .zlib : .zstd
        expectFailure(try compressed(other), codec, expectedSize: text.count)
        expectFailure(TestData.noise(500), codec, expectedSize: 500)
        expectFailure(TestData.noise(500), codec, expectedSize: 1 << 20)
        expectFailure([], codec, expectedSize: 0)
        expectFailure([], codec, expectedSize: 10)
    }
}
