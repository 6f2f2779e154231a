// Gzip owns gzip-framed streams (RFC 1952) for HTTP responses and archives.
import CZlib

/// Whole-buffer gzip compression and bounded decompression.
public enum Gzip {
    /// Output grows by this much per step, so memory follows the real size, not a guess.
    private static let step = 64 * 1024

    /// `bytes` as one gzip member at `level` (0...9).
    public static func compress(_ bytes: [UInt8], level: Int = 6) throws -> [UInt8] {
        guard (0...9).contains(level) else {
            throw CompressionError(.invalidLevel, "gzip level \(level) is outside 0...9; 6 is the usual choice")
        }
        let stream = try ZlibStream(.deflate, level: Int32(level), windowBits: 15 + 16)
        return try run(stream, bytes, limit: Int.max, what: "gzip compression")
    }

    /// The bytes a gzip stream holds; several concatenated members are joined, as `gunzip` does.
    /// Throws `limitExceeded` as soon as the output would pass `limit` bytes, `corruptInput` for
    /// damaged, truncated or non-gzip data.
    public static func decompress(_ bytes: [UInt8], limit: Int) throws -> [UInt8] {
        guard limit >= 0 else { throw CompressionError(.invalidInput, "gzip limit \(limit) is negative") }
        guard !bytes.isEmpty else {
            throw CompressionError(.corruptInput, "the gzip data is empty; a gzip stream has at least a header and a trailer")
        }
        let stream = try ZlibStream(.inflate, windowBits: 15 + 16)
        return try run(stream, bytes, limit: limit, what: "gzip data")
    }

    /// Pumps `input` through `stream` into a growing array, starting a new member after each end.
    private static func run(_ stream: ZlibStream, _ input: [UInt8], limit: Int, what: String) throws -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: step)
        try input.withUnsafeBytes { input in
            var offset = 0
            while true {
                let remaining = UnsafeRawBufferPointer(rebasing: input[offset...])
                let progress = chunk.withUnsafeMutableBytes { stream.pump(remaining, into: $0) }
                offset += progress.consumed
                if progress.failure != nil {
                    throw CompressionError(.corruptInput, "\(what) is damaged: \(stream.lastMessage)")
                }
                guard output.count + progress.produced <= limit else {
                    throw CompressionError(.limitExceeded, "\(what) expands beyond the \(limit)-byte limit; refusing to read it")
                }
                output.append(contentsOf: chunk[0..<progress.produced])
                if progress.ended {
                    if offset == input.count || stream.direction == .deflate { return }
                    stream.reset()
                } else if progress.produced == 0 && progress.consumed == 0 {
                    throw CompressionError(.corruptInput, "\(what) ends early after \(output.count) bytes; it is truncated")
                }
            }
        }
        return output
    }
}
