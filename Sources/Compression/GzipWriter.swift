// GzipWriter owns writing one gzip member (RFC 1952) as a stream, for archives too large to hold in memory.

/// Compresses bytes written piece by piece into one gzip member, handing the compressed bytes to a sink as they are
/// produced. Not Sendable: one writer per stream, used from one thread.
public final class GzipWriter {
    private let stream: ZlibStream
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var finished = false

    /// - Parameters:
    ///   - level: 0...9; 6 is the usual choice.
    ///   - sink: receives the compressed bytes; an error it throws stops the writer and is rethrown.
    public init(level: Int = 6, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        guard (0...9).contains(level) else {
            throw CompressionError(.invalidLevel, "gzip level \(level) is outside 0...9; 6 is the usual choice")
        }
        stream = try ZlibStream(.deflate, level: Int32(level), windowBits: 15 + 16)
        self.sink = sink
    }

    /// Compresses `bytes`; some of the output may wait inside zlib until more input or `finish()`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else { throw CompressionError(.invalidInput, "the gzip stream is already finished; start a new writer") }
        guard !bytes.isEmpty else { return }
        try pump(bytes, finish: false)
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Flushes what zlib holds and writes the trailer (CRC-32 and length). The writer takes no more input.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try pump(UnsafeRawBufferPointer(start: nil, count: 0), finish: true)
    }

    private func pump(_ input: UnsafeRawBufferPointer, finish: Bool) throws {
        var offset = 0
        while true {
            let remaining = UnsafeRawBufferPointer(rebasing: input[offset...])
            let progress = buffer.withUnsafeMutableBytes { stream.pump(remaining, into: $0, finish: finish) }
            offset += progress.consumed
            if let failure = progress.failure {
                throw CompressionError(.library, "zlib deflate failed with code \(failure): \(stream.lastMessage)")
            }
            if progress.produced > 0 {
                try buffer.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<progress.produced])) }
            }
            if progress.ended { return }
            // Without finishing, zlib is done once it took all the input and had room to spare.
            if !finish, offset == input.count, progress.produced < buffer.count { return }
            if progress.consumed == 0, progress.produced == 0, !finish { return }
        }
    }
}
