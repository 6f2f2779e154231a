#if canImport(Glibc)
import Glibc
#endif

/// ChunkReader owns reading a file through one reusable buffer and cutting it into chunks.

/// Splits files into chunks with `pread` and one buffer of `maxSize` + 1 MiB bytes, allocated once
/// (the unchunked tail is always under `maxSize`, so every refill reads at least 1 MiB).
///
/// Not thread-safe: a worker thread owns one reader and reuses it for every file it reads.
public final class ChunkReader {
    public let chunker: Chunker
    private let buffer: UnsafeMutableRawBufferPointer

    /// The least a refill reads.
    static let readSize = 1 << 20

    public init(chunker: Chunker) {
        self.chunker = chunker
        self.buffer = .allocate(byteCount: chunker.parameters.maxSize + ChunkReader.readSize, alignment: 64)
    }

    deinit {
        buffer.deallocate()
    }

    /// Splits a file (read with pread from `fd`, in the ranges given, e.g. the data extents of
    /// a sparse file) into chunks, calling `body` with each chunk's bytes (valid only during the
    /// call) and its offset in the file.
    ///
    /// Each range is chunked on its own, as a stream that ends at the range's end: a chunk never
    /// spans two ranges, so the last chunk of each range may be shorter than `minSize`, and a
    /// hole between ranges stays a hole on restore. Empty ranges are skipped.
    /// Throws `ChunkReadError` (`.fileChanged` when the file ends before a range does) or
    /// whatever `body` throws; chunks already delivered stay delivered.
    public func chunks(
        fd: Int32, ranges: [Range<Int>], _ body: (UnsafeRawBufferPointer, Int) throws -> Void
    ) throws {
        for range in ranges where !range.isEmpty {
            guard range.lowerBound >= 0 else {
                throw ChunkReadError(
                    code: .invalidRange, offset: range.lowerBound,
                    message: "the range \(range) starts before the file does; pass ranges at offsets of 0 or more")
            }
            try chunks(fd: fd, range: range, body)
        }
    }

    private func chunks(
        fd: Int32, range: Range<Int>, _ body: (UnsafeRawBufferPointer, Int) throws -> Void
    ) throws {
        let base = buffer.baseAddress!
        let maxSize = chunker.parameters.maxSize
        var start = 0                      // the next chunk's first byte in the buffer
        var filled = 0                     // bytes in the buffer
        var bufferOffset = range.lowerBound  // the file offset of buffer byte 0
        while true {
            let readOffset = bufferOffset + filled
            if filled - start < maxSize, readOffset < range.upperBound {
                // Keep the unchunked tail (< maxSize bytes) and top the buffer up behind it.
                let tail = filled - start
                if start > 0 {
                    memmove(base, base + start, tail)
                    bufferOffset += start
                    start = 0
                }
                let wanted = Swift.min(buffer.count - tail, range.upperBound - (bufferOffset + tail))
                try readFully(fd: fd, into: base + tail, count: wanted, at: bufferOffset + tail, rangeEnd: range.upperBound)
                filled = tail + wanted
            }
            let available = UnsafeRawBufferPointer(start: base + start, count: filled - start)
            if available.isEmpty { return }
            let isFinal = bufferOffset + filled == range.upperBound
            // The buffer holds maxSize bytes or the range's end, so a cut always exists.
            let length = chunker.nextCut(in: available, isFinal: isFinal)!
            try body(UnsafeRawBufferPointer(rebasing: available[0..<length]), bufferOffset + start)
            start += length
        }
    }

    private func readFully(
        fd: Int32, into destination: UnsafeMutableRawPointer, count: Int, at offset: Int, rangeEnd: Int
    ) throws {
        var done = 0
        while done < count {
            let result = pread(fd, destination + done, count - done, off_t(offset + done))
            if result > 0 {
                done += result
            } else if result == 0 {
                throw ChunkReadError.fileChanged(offset: offset + done, expectedEnd: rangeEnd)
            } else if errno != EINTR {
                throw ChunkReadError.readFailed(errno: errno, offset: offset + done)
            }
        }
    }
}
