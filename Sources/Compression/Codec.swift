// Codec owns the list of compression formats a blob can be stored in; its raw value is written to disk.

/// How a blob's bytes are compressed. The raw value is part of the repository format: never renumber.
public enum Codec: UInt8, Sendable, CaseIterable {
    /// Stored as is.
    case none = 0
    /// A Zstandard frame (RFC 8878) with its content size in the header and an XXH64 content checksum.
    case zstd = 1
    /// A zlib stream (RFC 1950: 2-byte header, deflate data, Adler-32 trailer), not raw deflate and not gzip.
    case zlib = 2

    /// The level Haven uses unless told otherwise: zstd 3, zlib 6.
    public var defaultLevel: Int {
        switch self {
        case .none: 0
        case .zstd: 3
        case .zlib: 6
        }
    }

    /// The codec's lowercase name, for configuration files and messages.
    public var name: String {
        switch self {
        case .none: "none"
        case .zstd: "zstd"
        case .zlib: "zlib"
        }
    }
}
