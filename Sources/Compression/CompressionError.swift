// CompressionError owns how compression failures are reported: a code to test and a message for people.

/// What went wrong while compressing or decompressing.
public struct CompressionError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable {
        /// The level is outside the codec's range.
        case invalidLevel
        /// The compressed data is damaged, truncated or not in the stated codec.
        case corruptInput
        /// The data decompresses to a size other than the one recorded for it.
        case sizeMismatch
        /// The data expands beyond the caller's limit (a decompression bomb, or a wrong limit).
        case limitExceeded
        /// A parameter is out of range (a negative size or limit).
        case invalidInput
        /// The library failed for another reason, such as running out of memory.
        case library
    }

    public let code: Code
    /// What happened and what to do about it.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
