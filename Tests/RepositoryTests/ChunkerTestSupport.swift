#if canImport(Glibc)
import Glibc
#endif
import Repository

/// ChunkerTestSupport holds the deterministic data, keys and helpers the chunker tests share.
enum ChunkerTestSupport {
    static let keyA = [UInt8](0..<32)
    static let keyB = [UInt8]((0..<32).map { UInt8(255 - $0) })
    static let small = ChunkerParameters(minSize: 2 * 1024, averageSize: 8 * 1024, maxSize: 64 * 1024)

    /// 256 MiB of reproducible random bytes, built once per test process.
    static let random256MiB = randomBytes(count: 256 << 20, seed: 0x5EED)

    /// Reproducible random bytes from SplitMix64.
    static func randomBytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < count {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z &>> 31
                let step = Swift.min(8, count - offset)
                withUnsafeBytes(of: z.littleEndian) { word in
                    raw.baseAddress!.advanced(by: offset).copyMemory(from: word.baseAddress!, byteCount: step)
                }
                offset += step
            }
        }
        return bytes
    }

    /// The chunk lengths `nextCut` gives for all of `data`, taken as one finished stream.
    static func cuts(_ chunker: Chunker, _ data: [UInt8]) -> [Int] {
        data.withUnsafeBytes { raw in cuts(chunker, raw) }
    }

    static func cuts(_ chunker: Chunker, _ raw: UnsafeRawBufferPointer) -> [Int] {
        var lengths: [Int] = []
        var position = 0
        while position < raw.count {
            let rest = UnsafeRawBufferPointer(rebasing: raw[position...])
            let length = chunker.nextCut(in: rest, isFinal: true)!
            lengths.append(length)
            position += length
        }
        return lengths
    }

    /// FNV-1a over 64-bit words (then the tail bytes): cheap enough for 64 MiB in a debug build.
    static func fnv(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        let words = raw.count / 8
        for index in 0..<words {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) &* 0x100_0000_01B3
        }
        for index in (words * 8)..<raw.count {
            hash = (hash ^ UInt64(raw[index])) &* 0x100_0000_01B3
        }
        return hash
    }

    /// Each chunk's FNV hash, in order.
    static func chunkHashes(_ chunker: Chunker, _ data: [UInt8]) -> [UInt64] {
        data.withUnsafeBytes { raw in
            var hashes: [UInt64] = []
            var position = 0
            for length in cuts(chunker, raw) {
                hashes.append(fnv(UnsafeRawBufferPointer(rebasing: raw[position..<(position + length)])))
                position += length
            }
            return hashes
        }
    }

    /// Creates an empty file under /tmp with mkstemp; the caller closes and unlinks it.
    static func makeTemporaryFile() -> (fd: Int32, path: String) {
        var template = Array("/tmp/haven-chunker-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (fd, path)
    }
}
