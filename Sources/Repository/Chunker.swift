/// Chunker owns the choice of chunk boundaries: keyed FastCDC with normalized chunking.

/// Finds content-defined cut points with FastCDC (Xia et al., USENIX ATC 2016), normalized
/// chunking level 2, over a Gear hash whose table is secret (`ChunkerGearTable`), so chunk
/// lengths do not fingerprint known content for anyone without the key.
///
/// The cut point of a chunk starting at byte 0 of `data` (normative; `min`, `avg = 2^k`, `max`
/// from `ChunkerParameters`, `G` the Gear table, arithmetic on `UInt64` modulo 2^64):
///
///     if len(data) <= min: the chunk is all of data (only when no more input follows)
///     end    = min(len(data), max)
///     normal = min(end, avg)
///     h = 0
///     for i in min ..< end:                       // bytes before `min` are never hashed
///         h = (h << 1) + G[data[i]]
///         mask = i < normal ? maskS : maskL
///         if h & mask == 0: return i + 1          // the byte at i ends the chunk
///     return end                                  // max reached, or the end of the input
///
/// Masks select the top bits of `h` (the bits that depend on the most input bytes, up to the
/// last 64): `maskS` is the top `k + 2` bits (a cut below `avg` is 4x rarer), `maskL` the top
/// `k - 2` bits (a cut above `avg` is 4x likelier). For the default `avg = 2^20`:
/// `maskS = 0xFFFF_FC00_0000_0000` (22 bits), `maskL = 0xFFFF_C000_0000_0000` (18 bits).
/// Data bytes are taken one at a time in file order, so there is no byte order to choose;
/// the table's byte order is defined by `ChunkerGearTable`.
///
/// Every chunk but the last of a stream is `min + 1 ... max` bytes long. A run of one repeated
/// byte value makes `h` constant after 64 bytes, so such runs are cut at `max` for almost every key.
public struct Chunker: Sendable {
    public let parameters: ChunkerParameters
    /// The mask used between `minSize` and `averageSize`: the top `k + 2` bits.
    public let maskSmall: UInt64
    /// The mask used between `averageSize` and `maxSize`: the top `k - 2` bits.
    public let maskLarge: UInt64
    private let table: [UInt64]

    /// Creates a chunker. Preconditions: `parameters.validate()` succeeds (validate configs
    /// before this point; decoding `ChunkerParameters` does) and `key` is 32 secret bytes.
    public init(parameters: ChunkerParameters, key: [UInt8]) {
        do {
            try parameters.validate()
        } catch {
            preconditionFailure(error.description)
        }
        self.parameters = parameters
        self.table = ChunkerGearTable.derive(key: key)
        let bits = parameters.averageBits
        self.maskSmall = Self.topBits(bits + 2)
        self.maskLarge = Self.topBits(bits - 2)
    }

    /// Returns the length of the next chunk at the start of `data`, or nil when `data` holds
    /// less than `maxSize` bytes, no cut point was found, and more input may follow
    /// (`isFinal == false`). With `isFinal == true` it always returns a length (the rest, or a
    /// cut) when `data` is non-empty. Stateless: the caller keeps a buffer (e.g. 2 × maxSize),
    /// feeds it from the current position, and refills; a cut returned for a short buffer is
    /// the same cut a longer buffer would give, because a cut depends only on the bytes before it.
    public func nextCut(in data: UnsafeRawBufferPointer, isFinal: Bool) -> Int? {
        guard let base = data.baseAddress, data.count > 0 else { return nil }
        let count = data.count
        let minSize = parameters.minSize
        if count <= minSize {
            return isFinal ? count : nil
        }
        let end = Swift.min(count, parameters.maxSize)
        let normal = Swift.min(end, parameters.averageSize)
        let found = table.withUnsafeBufferPointer { gear in
            Self.scan(
                base, from: minSize, normal: normal, end: end,
                maskSmall: maskSmall, maskLarge: maskLarge, gear: gear.baseAddress!)
        }
        if let found { return found }
        if count >= parameters.maxSize || isFinal { return end }
        return nil
    }

    /// The hot loop: hashes from `start` under `maskSmall` up to `normal`, then under `maskLarge`.
    @inline(__always)
    private static func scan(
        _ bytes: UnsafeRawPointer, from start: Int, normal: Int, end: Int,
        maskSmall: UInt64, maskLarge: UInt64, gear: UnsafePointer<UInt64>
    ) -> Int? {
        var hash: UInt64 = 0
        var index = start
        if let cut = phase(bytes, &index, to: normal, &hash, mask: maskSmall, gear) { return cut }
        return phase(bytes, &index, to: end, &hash, mask: maskLarge, gear)
    }

    /// Hashes bytes `index ..< limit` under one mask and returns the cut, or nil with `index`
    /// and `hash` advanced to `limit`. Four bytes per step: the fourth hash is computed as
    /// `(h << 4) + (g0 << 3) + (g1 << 2) + (g2 << 1) + g3`, the same value as four single steps
    /// (arithmetic mod 2^64) but a shorter dependency chain on `h`: about 60% faster.
    @inline(__always)
    private static func phase(
        _ bytes: UnsafeRawPointer, _ index: inout Int, to limit: Int, _ hash: inout UInt64,
        mask: UInt64, _ gear: UnsafePointer<UInt64>
    ) -> Int? {
        @inline(__always) func entry(_ offset: Int) -> UInt64 {
            gear[Int(bytes.load(fromByteOffset: offset, as: UInt8.self))]
        }
        var h = hash
        var i = index
        while i &+ 4 <= limit {
            let g0 = entry(i), g1 = entry(i &+ 1), g2 = entry(i &+ 2), g3 = entry(i &+ 3)
            let h1 = (h &<< 1) &+ g0
            let h2 = (h1 &<< 1) &+ g1
            let h3 = (h2 &<< 1) &+ g2
            h = (h &<< 4) &+ (((g0 &<< 3) &+ (g1 &<< 2)) &+ ((g2 &<< 1) &+ g3))
            if h1 & mask == 0 || h2 & mask == 0 || h3 & mask == 0 || h & mask == 0 {
                if h1 & mask == 0 { return i &+ 1 }
                if h2 & mask == 0 { return i &+ 2 }
                if h3 & mask == 0 { return i &+ 3 }
                return i &+ 4
            }
            i &+= 4
        }
        while i < limit {
            h = (h &<< 1) &+ entry(i)
            i &+= 1
            if h & mask == 0 { return i }
        }
        hash = h
        index = i
        return nil
    }

    private static func topBits(_ count: Int) -> UInt64 {
        ~UInt64(0) &<< UInt64(64 - count)
    }
}
