// Compression owns zstd and zlib: one-shot blob compression and decompression with reusable contexts,
// and gzip streams; nothing above it imports CZstd or CZlib.

/// The most bytes zlib moves in one call: its counters are 32-bit.
let zlibWindow = Int(UInt32.max)

/// A valid address for empty buffers, because zlib rejects a NULL `next_out` even when `avail_out` is 0.
nonisolated(unsafe) let emptyBufferAddress = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
