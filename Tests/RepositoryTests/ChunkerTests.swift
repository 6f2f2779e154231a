import Repository
import Testing

/// ChunkerTests prove the cut points: determinism, bounds, keying, locality and size distribution.
@Suite("Chunker")
struct ChunkerTests {
    typealias Support = ChunkerTestSupport

    @Test("the Gear table is the ChaCha20 keystream of the key, read as little-endian words")
    func gearTableMatchesChaCha20() {
        // Expected words from `openssl enc -chacha20` over zero bytes (RFC 8439 test vector 1 for the zero key).
        let zero = ChunkerGearTable.derive(key: [UInt8](repeating: 0, count: 32))
        #expect(zero.count == 256)
        #expect(zero[0] == 0x903D_F1A0_ADE0_B876)
        #expect(zero[8] == 0x7A38_5155_BEE7_079F)
        let counting = ChunkerGearTable.derive(key: Support.keyA)
        #expect(counting[0] == 0x6A19_C5D9_7D2B_FD39)
        #expect(counting[1] == 0x494A_DCB8_7703_BD8D)
        #expect(counting[255] == 0x7343_D61F_B3C4_43B8)
        #expect(Set(counting).count == 256)
    }

    @Test("the masks are the top k+2 and k-2 bits for an average of 2^k")
    func masks() {
        let chunker = Chunker(parameters: .default, key: Support.keyA)
        #expect(chunker.maskSmall == 0xFFFF_FC00_0000_0000)
        #expect(chunker.maskLarge == 0xFFFF_C000_0000_0000)
        let small = Chunker(parameters: Support.small, key: Support.keyA)
        #expect(small.maskSmall.nonzeroBitCount == 15)
        #expect(small.maskLarge.nonzeroBitCount == 11)
        #expect(small.maskLarge.leadingZeroBitCount == 0)
    }

    @Test("the same data and key give the same cuts")
    func deterministic() {
        let data = Support.randomBytes(count: 24 << 20, seed: 1)
        let first = Support.cuts(Chunker(parameters: .default, key: Support.keyA), data)
        let second = Support.cuts(Chunker(parameters: .default, key: Support.keyA), data)
        #expect(first.count > 10)
        #expect(first == second)
    }

    @Test("every chunk but the last lies within min and max, and the chunks cover the data", arguments: [
        ChunkerParameters.default, ChunkerTestSupport.small,
    ])
    func bounds(parameters: ChunkerParameters) {
        let data = Support.randomBytes(count: 40 * parameters.maxSize + 123, seed: 2)
        let lengths = Support.cuts(Chunker(parameters: parameters, key: Support.keyA), data)
        #expect(lengths.reduce(0, +) == data.count)
        #expect(lengths.count > 40)
        for length in lengths.dropLast() {
            #expect(length > parameters.minSize && length <= parameters.maxSize)
        }
        #expect(lengths.last! > 0 && lengths.last! <= parameters.maxSize)
    }

    @Test("different keys put the boundaries in different places")
    func keyed() {
        let data = Support.randomBytes(count: 32 << 20, seed: 3)
        let cutsA = Support.cuts(Chunker(parameters: .default, key: Support.keyA), data)
        let cutsB = Support.cuts(Chunker(parameters: .default, key: Support.keyB), data)
        let offsetsA = Set(cutsA.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1) }.dropLast())
        let offsetsB = Set(cutsB.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1) }.dropLast())
        #expect(offsetsA.count > 10)
        #expect(offsetsA.intersection(offsetsB).isEmpty)
    }

    @Test("inserting 100 bytes in the middle of 64 MiB changes at most 3 chunks")
    func insertionIsLocal() {
        let original = Array(Support.random256MiB[0..<(64 << 20)])
        var edited = original
        edited.insert(contentsOf: Support.randomBytes(count: 100, seed: 4), at: 32 << 20)
        let chunker = Chunker(parameters: .default, key: Support.keyA)
        let before = Support.chunkHashes(chunker, original)
        let after = Support.chunkHashes(chunker, edited)
        let unchanged = Set(before)
        let changed = after.filter { !unchanged.contains($0) }
        print("insertion: \(before.count) chunks before, \(after.count) after, \(changed.count) new")
        #expect(before.count > 30)
        #expect(changed.count >= 1 && changed.count <= 3)
    }

    @Test("the mean chunk of 256 MiB of random data is within 30% of the average size")
    func averageSize() {
        let lengths = Support.cuts(Chunker(parameters: .default, key: Support.keyA), Support.random256MiB)
        let mean = Double(Support.random256MiB.count) / Double(lengths.count)
        print("mean chunk \(Int(mean)) bytes over \(lengths.count) chunks (average size \(1 << 20))")
        #expect(abs(mean / Double(1 << 20) - 1) <= 0.3)
    }

    @Test("small parameters give a mean chunk within 30% of 8 KiB")
    func smallAverageSize() {
        let data = Array(Support.random256MiB[0..<(32 << 20)])
        let lengths = Support.cuts(Chunker(parameters: Support.small, key: Support.keyB), data)
        let mean = Double(data.count) / Double(lengths.count)
        print("small parameters: mean chunk \(Int(mean)) bytes over \(lengths.count) chunks")
        #expect(abs(mean / 8192 - 1) <= 0.3)
    }
}
