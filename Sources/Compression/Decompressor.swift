// Decompressor owns turning stored blobs back into bytes, treating every input as possibly hostile.
import CZlib
import CZstd

/// Reusable per-thread decompressor; contexts are created on first use of each codec. Not Sendable.
///
/// Blobs record their uncompressed size, so the output is allocated once at exactly that size: a
/// damaged or malicious blob can neither crash the process nor make it allocate more.
public final class Decompressor {
    private var zstd: OpaquePointer?
    private var zlib: ZlibStream?

    public init() {}

    deinit { ZSTD_freeDCtx(zstd) }

    /// Decompresses data of `codec`, which must expand to exactly `expectedSize` bytes (else throws
    /// `sizeMismatch`; damaged or trailing data throws `corruptInput`).
    ///
    /// `expectedSize` bytes may be allocated before the data is checked, so callers reading it from
    /// untrusted metadata bound it first (the format's largest blob).
    public func decompress(_ source: UnsafeRawBufferPointer, codec: Codec, expectedSize: Int) throws -> [UInt8] {
        guard expectedSize >= 0 else {
            throw CompressionError(.invalidInput, "expected size \(expectedSize) is negative; the blob's header is damaged")
        }
        if codec == .none {
            guard source.count == expectedSize else { throw Self.mismatch(codec, expectedSize, "\(source.count)") }
            return Array(source)
        }
        try checkDeclaredSize(source, codec: codec, expectedSize: expectedSize)
        return try [UInt8](unsafeUninitializedCapacity: expectedSize) { buffer, initialized in
            try decompress(source, codec: codec, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = expectedSize
        }
    }

    /// Decompresses data of `codec` into `output`, which it must fill exactly (else throws `sizeMismatch`;
    /// damaged or trailing data throws `corruptInput`). For a caller that reuses one buffer for many blobs.
    public func decompress(_ source: UnsafeRawBufferPointer, codec: Codec, into output: UnsafeMutableRawBufferPointer) throws {
        let expectedSize = output.count
        switch codec {
        case .none:
            guard source.count == expectedSize else { throw Self.mismatch(codec, expectedSize, "\(source.count)") }
            if expectedSize > 0 { output.baseAddress!.copyMemory(from: source.baseAddress!, byteCount: expectedSize) }
        case .zstd:
            try checkDeclaredSize(source, codec: codec, expectedSize: expectedSize)
            try decompressZstd(source, into: output)
        case .zlib:
            try decompressZlib(source, into: output)
        }
    }

    /// A zstd frame's header states the content size: checking it first refuses a lie before anything is allocated.
    private func checkDeclaredSize(_ source: UnsafeRawBufferPointer, codec: Codec, expectedSize: Int) throws {
        guard codec == .zstd else { return }
        let declared = ZSTD_getFrameContentSize(source.baseAddress, source.count)
        if declared == ZSTD_CONTENTSIZE_ERROR {
            throw CompressionError(.corruptInput, "the data is not a zstd frame (\(source.count) bytes); the blob is damaged or uses another codec")
        }
        if declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != UInt64(expectedSize) {
            throw Self.mismatch(.zstd, expectedSize, "\(declared)")
        }
    }

    private func decompressZstd(_ source: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        if zstd == nil { zstd = ZSTD_createDCtx() }
        guard let context = zstd else { throw CompressionError(.library, "cannot create a zstd context: out of memory") }
        let expectedSize = output.count
        let result = ZSTD_decompressDCtx(context, output.baseAddress ?? emptyBufferAddress, expectedSize,
                                         source.baseAddress, source.count)
        if ZSTD_isError(result) != 0 {
            if ZSTD_getErrorCode(result) == ZSTD_error_dstSize_tooSmall {
                throw Self.mismatch(.zstd, expectedSize, "more")
            }
            throw CompressionError(.corruptInput, "zstd data is damaged: \(String(cString: ZSTD_getErrorName(result)))")
        }
        guard result == expectedSize else { throw Self.mismatch(.zstd, expectedSize, "\(result)") }
    }

    private func decompressZlib(_ source: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        if zlib == nil { zlib = try ZlibStream(.inflate, windowBits: 15) }
        guard let zlib else { return }
        zlib.reset()
        let expectedSize = output.count
        let progress = zlib.pump(source, into: output)
        if progress.failure != nil {
            throw CompressionError(.corruptInput, "zlib data is damaged: \(zlib.lastMessage)")
        }
        guard progress.ended else {
            if progress.produced == expectedSize && progress.consumed < source.count {
                throw Self.mismatch(.zlib, expectedSize, "more")
            }
            throw CompressionError(.corruptInput, "zlib data ends early after \(progress.produced) of \(expectedSize) bytes; the blob is truncated")
        }
        guard progress.produced == expectedSize else { throw Self.mismatch(.zlib, expectedSize, "\(progress.produced)") }
        guard progress.consumed == source.count else {
            throw CompressionError(.corruptInput, "\(source.count - progress.consumed) bytes follow the end of the zlib stream; the blob is damaged")
        }
    }

    private static func mismatch(_ codec: Codec, _ expected: Int, _ actual: String) -> CompressionError {
        CompressionError(.sizeMismatch, "\(codec.name) data expands to \(actual) bytes, not the \(expected) recorded for it; the blob or its index entry is damaged")
    }
}
