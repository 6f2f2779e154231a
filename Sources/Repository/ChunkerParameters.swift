/// ChunkerParameters owns the chunk size bounds of content-defined chunking and the rules that make them sane.

/// The size bounds for `Chunker`: no chunk is shorter than `minSize` (except the last of a stream),
/// none is longer than `maxSize`, and cut points are tuned for chunks near `averageSize`.
///
/// Rules (checked by `validate()`, and on decoding, because a repository's config is untrusted input):
/// - `averageSize` is a power of two, 2^8 (256 B) ... 2^28 (256 MiB);
/// - `minSize >= 64` (the Gear hash window) and `minSize < averageSize < maxSize`;
/// - `maxSize <= 2^30` (1 GiB), since a reader holds two maximal chunks in memory.
///
/// With `minSize == averageSize / 2` (the default), the mean chunk of random data comes out at
/// about 1.2 × `averageSize`, because no cut is taken below `minSize`.
public struct ChunkerParameters: Sendable, Codable, Equatable {
    public var minSize: Int
    public var averageSize: Int
    public var maxSize: Int

    /// 512 KiB / 1 MiB / 8 MiB: restic's bounds, large enough that a 1 TB volume makes about a million chunks.
    public static let `default` = ChunkerParameters(
        minSize: 512 * 1024, averageSize: 1024 * 1024, maxSize: 8 * 1024 * 1024)

    public static let smallestAverageSize = 1 << 8
    public static let largestAverageSize = 1 << 28
    public static let smallestMinSize = 64
    public static let largestMaxSize = 1 << 30

    public init(minSize: Int, averageSize: Int, maxSize: Int) {
        self.minSize = minSize
        self.averageSize = averageSize
        self.maxSize = maxSize
    }

    /// log2(averageSize); meaningful only after `validate()` succeeded.
    public var averageBits: Int { averageSize.trailingZeroBitCount }

    /// Throws `ChunkerParametersError` naming the first rule the parameters break.
    public func validate() throws(ChunkerParametersError) {
        let sizes = "min \(minSize), average \(averageSize), max \(maxSize)"
        guard averageSize > 0, averageSize.nonzeroBitCount == 1 else {
            throw ChunkerParametersError(
                code: .averageNotPowerOfTwo,
                message: "the average chunk size \(averageSize) is not a power of two; use e.g. 1048576 (1 MiB)")
        }
        guard averageSize >= Self.smallestAverageSize, averageSize <= Self.largestAverageSize else {
            throw ChunkerParametersError(
                code: .outOfBounds,
                message: "the average chunk size \(averageSize) is outside \(Self.smallestAverageSize)...\(Self.largestAverageSize) bytes; choose one inside")
        }
        guard minSize >= Self.smallestMinSize, maxSize <= Self.largestMaxSize else {
            throw ChunkerParametersError(
                code: .outOfBounds,
                message: "chunk sizes (\(sizes)) need min >= \(Self.smallestMinSize) and max <= \(Self.largestMaxSize) bytes")
        }
        guard minSize < averageSize, averageSize < maxSize else {
            throw ChunkerParametersError(
                code: .notOrdered,
                message: "chunk sizes (\(sizes)) must grow strictly: min < average < max")
        }
    }
}

extension ChunkerParameters {
    /// Decodes and validates: a config that breaks the rules never reaches a `Chunker`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            minSize: try container.decode(Int.self, forKey: .minSize),
            averageSize: try container.decode(Int.self, forKey: .averageSize),
            maxSize: try container.decode(Int.self, forKey: .maxSize))
        try validate()
    }
}

/// Chunker parameters that break a rule of `ChunkerParameters`.
public struct ChunkerParametersError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case averageNotPowerOfTwo
        case outOfBounds
        case notOrdered
    }

    public let code: Code
    /// What is wrong and what to choose instead.
    public let message: String

    public var description: String { "invalid chunker parameters: \(message)" }
}
