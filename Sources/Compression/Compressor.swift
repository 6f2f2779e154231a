// Compressor owns compressing blobs: a reusable zstd or zlib context plus a scratch buffer per worker thread.
import CZlib
import CZstd

/// Reusable per-thread compressor (holds a `ZSTD_CCtx` or a `z_stream`); not Sendable — one per worker thread.
///
/// Reusing the context matters: creating a zstd context allocates several hundred KiB of tables.
public final class Compressor {
    public let codec: Codec
    public let level: Int
    private var zstd: OpaquePointer?
    /// The zstd context's memory, sized once for the level's largest tables. A context that allocates for itself
    /// frees its tables after many small inputs and allocates them again for the next large one; that fresh
    /// memory cost a page fault per 4 KiB (the most faults of a backup), which a fixed workspace never pays.
    private var zstdWorkspace = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var zlib: ZlibStream?
    /// Where `compress(_:into:)` for arrays compresses first; only a result smaller than the input is copied out.
    private var scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// Throws `invalidLevel` for a level the codec does not have (zstd: negative "fast" levels up to 22; zlib: 0...9).
    /// - Parameter checksum: give each zstd frame its XXH64 content checksum, so decompression itself catches
    ///   damage; a caller whose data is authenticated otherwise (Haven's encrypted blobs) can leave it out.
    public init(codec: Codec, level: Int, checksum: Bool = true) throws {
        self.codec = codec
        self.level = level
        switch codec {
        case .none:
            break
        case .zstd:
            guard (Int(ZSTD_minCLevel())...Int(ZSTD_maxCLevel())).contains(level) else {
                throw CompressionError(.invalidLevel, "zstd level \(level) is outside \(ZSTD_minCLevel())...\(ZSTD_maxCLevel()); Haven's default is 3")
            }
            let size = ZSTD_estimateCCtxSize(Int32(level))
            zstdWorkspace = .allocate(byteCount: size, alignment: 64)
            guard let context = ZSTD_initStaticCCtx(zstdWorkspace.baseAddress, size) else {
                throw CompressionError(.library, "cannot set up a zstd context in \(size) bytes")
            }
            zstd = context
            let set = ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Int32(level))
            guard ZSTD_isError(set) == 0 else { throw Self.zstdFailure("setting the level", set) }
            // A 4-byte XXH64 checksum per frame, so damage is caught by decompression itself (zlib
            // always has Adler-32); it costs well under 1% of compression time.
            let flag = ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, checksum ? 1 : 0)
            guard ZSTD_isError(flag) == 0 else { throw Self.zstdFailure("setting checksums", flag) }
        case .zlib:
            guard (0...9).contains(level) else {
                throw CompressionError(.invalidLevel, "zlib level \(level) is outside 0...9; Haven's default is 6")
            }
            zlib = try ZlibStream(.deflate, level: Int32(level), windowBits: 15)
        }
    }

    /// A compressor at the codec's default level.
    public convenience init(codec: Codec) throws {
        try self.init(codec: codec, level: codec.defaultLevel)
    }

    deinit {
        // A static context lives in its workspace: freeing the workspace frees it.
        zstdWorkspace.deallocate()
        scratch.deallocate()
    }

    /// Appends the compressed form of `source` to `output`. Returns false (and leaves output unchanged)
    /// when the result would not be smaller than the input, so the caller stores it raw; `.none` and
    /// empty input always return false.
    public func compress(_ source: UnsafeRawBufferPointer, into output: inout [UInt8]) throws -> Bool {
        guard codec != .none, source.count > 1 else { return false }
        let capacity = source.count - 1
        if scratch.count < capacity {
            scratch.deallocate()
            scratch = .allocate(byteCount: capacity, alignment: 16)
        }
        guard let length = try compress(source, into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<capacity])) else {
            return false
        }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<length]))
        return true
    }

    /// Compresses `source` into `room` and returns the compressed length, or nil when the result would not fit
    /// (a caller that wants only results smaller than the input gives `source.count - 1` bytes of room: the codec
    /// then gives up as soon as it would not fit, instead of finishing a useless result). `.none` returns nil.
    public func compress(_ source: UnsafeRawBufferPointer, into room: UnsafeMutableRawBufferPointer) throws -> Int? {
        guard !room.isEmpty else { return nil }
        if let zstd {
            return try Self.compressZstd(zstd, source, into: room)
        } else if let zlib {
            zlib.reset()
            let progress = zlib.pump(source, into: room)
            if let failure = progress.failure {
                throw CompressionError(.library, "zlib deflate failed with code \(failure): \(zlib.lastMessage)")
            }
            return progress.ended ? progress.produced : nil
        }
        return nil
    }

    /// The compressed length, or nil when it does not fit in `room`.
    private static func compressZstd(_ context: OpaquePointer, _ source: UnsafeRawBufferPointer,
                                     into room: UnsafeMutableRawBufferPointer) throws -> Int? {
        let result = ZSTD_compress2(context, room.baseAddress, room.count, source.baseAddress, source.count)
        guard ZSTD_isError(result) != 0 else { return result }
        if ZSTD_getErrorCode(result) == ZSTD_error_dstSize_tooSmall { return nil }
        throw zstdFailure("compressing", result)
    }

    static func zstdFailure(_ operation: String, _ result: Int) -> CompressionError {
        CompressionError(.library, "zstd failed \(operation): \(String(cString: ZSTD_getErrorName(result)))")
    }
}
