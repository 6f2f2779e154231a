// Tests for blob compression: round trips per codec and level, and the "not smaller → store raw" rule.
import Compression
import Testing

func compress(_ compressor: Compressor, _ bytes: [UInt8]) throws -> [UInt8]? {
    var output: [UInt8] = []
    let smaller = try bytes.withUnsafeBytes { try compressor.compress($0, into: &output) }
    return smaller ? output : nil
}

func decompress(_ bytes: [UInt8], _ codec: Codec, expectedSize: Int) throws -> [UInt8] {
    try bytes.withUnsafeBytes { try Decompressor().decompress($0, codec: codec, expectedSize: expectedSize) }
}

@Suite("Compressor and Decompressor round trips")
struct CompressorTests {
    static let codecsAndLevels: [(Codec, Int)] = [(.zstd, 3), (.zstd, 1), (.zstd, 19), (.zstd, -5), (.zlib, 6), (.zlib, 1), (.zlib, 9)]

    @Test("text shrinks and comes back byte for byte", arguments: codecsAndLevels)
    func textRoundTrip(codec: Codec, level: Int) throws {
        let compressor = try Compressor(codec: codec, level: level)
        for size in [4096, 1 << 20] {
            let text = TestData.text(size)
            let compressed = try #require(try compress(compressor, text))
            #expect(compressed.count < text.count / 2)
            #expect(try decompress(compressed, codec, expectedSize: text.count) == text)
        }
        // Short inputs may or may not shrink; when they do, they must come back intact.
        let short = TestData.text(100)
        if let compressed = try compress(compressor, short) {
            #expect(compressed.count < short.count)
            #expect(try decompress(compressed, codec, expectedSize: short.count) == short)
        }
    }

    @Test("the default levels are zstd 3 and zlib 6")
    func defaults() throws {
        #expect(Codec.zstd.defaultLevel == 3 && Codec.zlib.defaultLevel == 6)
        #expect(try Compressor(codec: .zstd).level == 3)
        #expect(Codec.allCases.map(\.rawValue) == [0, 1, 2])
    }

    @Test("random data is reported as not smaller and the output is left untouched", arguments: Codec.allCases)
    func incompressible(codec: Codec) throws {
        let compressor = try Compressor(codec: codec)
        var output: [UInt8] = [9, 9, 9]
        for size in [1, 2, 100, 65536] {
            let smaller = try TestData.noise(size).withUnsafeBytes { try compressor.compress($0, into: &output) }
            #expect(!smaller)
            #expect(output == [9, 9, 9])
        }
    }

    @Test("empty input is never compressed, and .none never compresses", arguments: Codec.allCases)
    func emptyAndNone(codec: Codec) throws {
        let compressor = try Compressor(codec: codec)
        #expect(try compress(compressor, []) == nil)
        #expect(try compress(Compressor(codec: .none), TestData.text(10_000)) == nil)
        #expect(try decompress([], .none, expectedSize: 0) == [])
        #expect(try decompress([1, 2, 3], .none, expectedSize: 3) == [1, 2, 3])
    }

    @Test("compress appends after existing output bytes", arguments: [Codec.zstd, .zlib])
    func appends(codec: Codec) throws {
        let compressor = try Compressor(codec: codec)
        let text = TestData.text(5000)
        var output: [UInt8] = [0xAA, 0xBB]
        #expect(try text.withUnsafeBytes { try compressor.compress($0, into: &output) })
        #expect(output.prefix(2) == [0xAA, 0xBB])
        #expect(try decompress(Array(output.dropFirst(2)), codec, expectedSize: text.count) == text)
    }

    @Test("one compressor and decompressor handle many different inputs in turn", arguments: [Codec.zstd, .zlib])
    func reuse(codec: Codec) throws {
        let compressor = try Compressor(codec: codec)
        let decompressor = Decompressor()
        for seed in 1...30 {
            let text = TestData.text(Int(seed) * 997, seed: UInt64(seed))
            let compressed = try #require(try compress(compressor, text))
            let back = try compressed.withUnsafeBytes { try decompressor.decompress($0, codec: codec, expectedSize: text.count) }
            #expect(back == text)
        }
    }

    @Test("levels outside a codec's range are refused", arguments: [(Codec.zstd, 23), (.zstd, -200_000), (.zlib, 10), (.zlib, -2)])
    func invalidLevels(codec: Codec, level: Int) {
        #expect {
            _ = try Compressor(codec: codec, level: level)
        } throws: { ($0 as? CompressionError)?.code == .invalidLevel }
    }
}
