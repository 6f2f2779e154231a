import Repository
import Testing

/// ChunkerCutTests prove what `nextCut` answers for short, final, empty and uniform input.
@Suite("Chunker cut edge cases")
struct ChunkerCutTests {
    typealias Support = ChunkerTestSupport

    @Test("with more input to come, a short buffer without a cut answers nil")
    func shortBufferWaits() {
        let chunker = Chunker(parameters: Support.small, key: Support.keyA)
        let zeros = [UInt8](repeating: 0, count: Support.small.maxSize - 1)
        zeros.withUnsafeBytes { raw in
            #expect(chunker.nextCut(in: raw, isFinal: false) == nil)
            #expect(chunker.nextCut(in: raw, isFinal: true) == raw.count)
        }
        let random = Support.randomBytes(count: Support.small.minSize, seed: 5)
        random.withUnsafeBytes { raw in
            #expect(chunker.nextCut(in: raw, isFinal: false) == nil)
            #expect(chunker.nextCut(in: raw, isFinal: true) == Support.small.minSize)
        }
        [UInt8]().withUnsafeBytes { raw in
            #expect(chunker.nextCut(in: raw, isFinal: true) == nil)
        }
    }

    @Test("a cut found in a short buffer is the cut a long buffer gives")
    func shortBufferCutAgrees() {
        let chunker = Chunker(parameters: Support.small, key: Support.keyA)
        let data = Support.randomBytes(count: 1 << 20, seed: 6)
        data.withUnsafeBytes { raw in
            let full = chunker.nextCut(in: raw, isFinal: false)!
            #expect(full < Support.small.maxSize)
            let prefix = UnsafeRawBufferPointer(rebasing: raw[0..<full])
            #expect(chunker.nextCut(in: prefix, isFinal: false) == full)
            let tooShort = UnsafeRawBufferPointer(rebasing: raw[0..<(full - 1)])
            #expect(chunker.nextCut(in: tooShort, isFinal: false) == nil)
        }
    }

    @Test("all-zero data is cut at max", arguments: [ChunkerParameters.default, ChunkerTestSupport.small])
    func zerosCutAtMax(parameters: ChunkerParameters) {
        let zeros = [UInt8](repeating: 0, count: 3 * parameters.maxSize + 5)
        for key in [Support.keyA, Support.keyB] {
            let lengths = Support.cuts(Chunker(parameters: parameters, key: key), zeros)
            #expect(lengths == [parameters.maxSize, parameters.maxSize, parameters.maxSize, 5])
        }
    }

    @Test("a buffer longer than max is cut at max at the latest, even when more may follow")
    func longBufferAlwaysCuts() {
        let chunker = Chunker(parameters: Support.small, key: Support.keyA)
        let zeros = [UInt8](repeating: 0, count: 2 * Support.small.maxSize)
        zeros.withUnsafeBytes { raw in
            #expect(chunker.nextCut(in: raw, isFinal: false) == Support.small.maxSize)
        }
    }
}

/// ChunkerSpecTests prove that the optimized chunker cuts exactly where the documented algorithm does.
@Suite("Chunker specification")
struct ChunkerSpecTests {
    typealias Support = ChunkerTestSupport

    /// The cut point algorithm as written in `Chunker`'s documentation, one byte at a time.
    func referenceCut(_ data: ArraySlice<UInt8>, _ parameters: ChunkerParameters, _ gear: [UInt64]) -> Int {
        if data.count <= parameters.minSize { return data.count }
        let end = min(data.count, parameters.maxSize)
        let normal = min(end, parameters.averageSize)
        let bits = parameters.averageSize.trailingZeroBitCount
        let maskS = ~UInt64(0) << UInt64(64 - (bits + 2))
        let maskL = ~UInt64(0) << UInt64(64 - (bits - 2))
        var h: UInt64 = 0
        for i in parameters.minSize..<end {
            h = (h << 1) &+ gear[Int(data[data.startIndex + i])]
            if h & (i < normal ? maskS : maskL) == 0 { return i + 1 }
        }
        return end
    }

    @Test("cuts match the one-byte-at-a-time reference algorithm", arguments: [
        ChunkerParameters.default, ChunkerTestSupport.small,
        ChunkerParameters(minSize: 64, averageSize: 256, maxSize: 1031),
        ChunkerParameters(minSize: 1001, averageSize: 4096, maxSize: 9999),
    ])
    func matchesReference(parameters: ChunkerParameters) {
        let data = Support.randomBytes(count: 12 * parameters.maxSize + 3, seed: 11)
        let gear = ChunkerGearTable.derive(key: Support.keyB)
        var expected: [Int] = []
        var position = 0
        while position < data.count {
            let length = referenceCut(data[position...], parameters, gear)
            expected.append(length)
            position += length
        }
        let actual = Support.cuts(Chunker(parameters: parameters, key: Support.keyB), data)
        #expect(expected.count > 12)
        #expect(actual == expected)
    }
}
