// Deterministic test inputs for the Compression tests: text-like data that compresses, noise that does not.

/// A small xorshift generator, so test inputs are the same on every run.
struct Xorshift: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9e3779b97f4a7c15 : seed }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

enum TestData {
    static let words = ["backup", "vault", "chunk", "pack", "index", "recovery", "point", "the", "a", "of",
                        "restore", "snapshot", "file", "folder", "volume", "schedule", "retention", "and", "to", "is"]

    /// `count` bytes of word soup with line breaks, roughly as compressible as source code.
    static func text(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var generator = Xorshift(seed: seed)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 16)
        while bytes.count < count {
            bytes += Array(words[Int(generator.next() % UInt64(words.count))].utf8)
            bytes.append(generator.next() % 9 == 0 ? 10 : 32)
        }
        return Array(bytes.prefix(count))
    }

    /// `count` bytes of pseudo-random noise, which no codec can shrink.
    static func noise(_ count: Int, seed: UInt64 = 2) -> [UInt8] {
        var generator = Xorshift(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next() >> 24) }
    }
}
