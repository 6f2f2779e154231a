import Compression
import Testing

@Suite("zstd frames with and without their checksum")
struct CompressorChecksumTests {
    private let text = Array(String(repeating: "checksummed or not, the same text comes back. ", count: 200).utf8)

    @Test("a frame without a checksum is 4 bytes shorter and decompresses to the same bytes")
    func withoutChecksum() throws {
        var with: [UInt8] = [], without: [UInt8] = []
        #expect(try text.withUnsafeBytes { try Compressor(codec: .zstd, level: 3).compress($0, into: &with) })
        #expect(try text.withUnsafeBytes { try Compressor(codec: .zstd, level: 3, checksum: false).compress($0, into: &without) })
        #expect(with.count == without.count + 4)
        let decompressor = Decompressor()
        #expect(try without.withUnsafeBytes { try decompressor.decompress($0, codec: .zstd, expectedSize: text.count) } == text)
        #expect(try with.withUnsafeBytes { try decompressor.decompress($0, codec: .zstd, expectedSize: text.count) } == text)
    }
}
