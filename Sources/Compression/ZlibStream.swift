// ZlibStream owns one z_stream: its setup, reset, teardown, and feeding it buffers larger than 4 GiB.
import CZlib

/// A deflate or inflate `z_stream` on the heap (zlib keeps pointers into it, so it must not move).
final class ZlibStream {
    enum Direction { case deflate, inflate }

    /// What one `pump` did: bytes consumed and produced, and whether the stream reached its end.
    struct Progress {
        var consumed = 0
        var produced = 0
        var ended = false
        /// The zlib code that stopped the pump when it was neither progress nor the end.
        var failure: Int32?
    }

    let direction: Direction
    private let stream: UnsafeMutablePointer<z_stream>

    /// `windowBits` picks the framing: 15 zlib, 31 gzip (15 + 16).
    init(_ direction: Direction, level: Int32 = Z_DEFAULT_COMPRESSION, windowBits: Int32) throws(CompressionError) {
        self.direction = direction
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let code = switch direction {
        case .deflate: CZlib_deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY)
        case .inflate: CZlib_inflateInit2(stream, windowBits)
        }
        guard code == Z_OK else {
            stream.deallocate()
            throw CompressionError(.library, "zlib \(direction) setup failed with code \(code); the system may be out of memory")
        }
    }

    deinit {
        switch direction {
        case .deflate: deflateEnd(stream)
        case .inflate: inflateEnd(stream)
        }
        stream.deallocate()
    }

    /// Starts a new stream, keeping the allocated state.
    func reset() {
        switch direction {
        case .deflate: deflateReset(stream)
        case .inflate: inflateReset(stream)
        }
    }

    /// Runs deflate (finishing once all of `input` is in, unless `finish` is false: more input follows) or inflate
    /// until the stream ends, `output` is full, or `input` runs dry. zlib's 32-bit counters are fed in windows, so
    /// sizes are unbounded.
    func pump(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, finish: Bool = true) -> Progress {
        var progress = Progress()
        let inputBase = UnsafeMutableRawPointer(mutating: input.baseAddress) ?? emptyBufferAddress
        let outputBase = output.baseAddress ?? emptyBufferAddress
        while true {
            let inputWindow = min(input.count - progress.consumed, zlibWindow)
            let outputWindow = min(output.count - progress.produced, zlibWindow)
            stream.pointee.next_in = (inputBase + progress.consumed).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = UInt32(inputWindow)
            stream.pointee.next_out = (outputBase + progress.produced).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(outputWindow)
            let last = progress.consumed + inputWindow == input.count
            let code = switch direction {
            case .deflate: deflate(stream, last && finish ? Z_FINISH : Z_NO_FLUSH)
            case .inflate: inflate(stream, Z_NO_FLUSH)
            }
            let consumed = inputWindow - Int(stream.pointee.avail_in)
            let produced = outputWindow - Int(stream.pointee.avail_out)
            progress.consumed += consumed
            progress.produced += produced
            if code == Z_STREAM_END {
                progress.ended = true
                return progress
            }
            if code != Z_OK && code != Z_BUF_ERROR {
                progress.failure = code
                return progress
            }
            // Z_BUF_ERROR or no movement means zlib needs more input or more room than it has.
            if consumed == 0 && produced == 0 { return progress }
        }
    }

    /// zlib's message for the last failure, if it left one.
    var lastMessage: String {
        stream.pointee.msg.map { String(cString: $0) } ?? "no detail from zlib"
    }
}
