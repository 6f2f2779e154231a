/// ScratchBuffer owns a worker thread's reusable raw memory for blobs in flight.

/// Raw bytes reused from blob to blob, so storing a blob allocates nothing: fresh memory for every blob costs page
/// faults (and zeroing) in the kernel, about as much CPU as a quarter of the verification it serves.
///
/// It only grows; after a blob larger than `keptLimit` it is given back, so one huge blob does not stay resident.
/// Not Sendable: one per thread, like the writer that owns it.
final class ScratchBuffer {
    private(set) var bytes = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    /// The most kept between blobs: ample for the compressed form of a chunk of typical data.
    static let keptLimit = 2 << 20

    deinit { bytes.deallocate() }

    /// At least `count` bytes, valid until the next call; their content is undefined.
    func room(_ count: Int) -> UnsafeMutableRawBufferPointer {
        if bytes.count < count {
            bytes.deallocate()
            // A little headroom, so a stream of slightly growing blobs does not reallocate each time.
            bytes = .allocate(byteCount: max(count, min(count + count / 4, Self.keptLimit)), alignment: 64)
        }
        return UnsafeMutableRawBufferPointer(rebasing: bytes[0..<count])
    }

    /// Gives the memory back if it grew past `keptLimit`.
    func trim() {
        guard bytes.count > Self.keptLimit else { return }
        bytes.deallocate()
        bytes = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }
}
