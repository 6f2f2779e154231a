import Glibc

/// Process-wide allocator settings, applied once at start.
enum MemoryTuning {
    /// glibc raises its mmap threshold after large buffers are freed, after which 1–16 MiB buffers (chunks,
    /// compressed blobs) are carved from the heap and their pages stay resident. A fixed threshold hands every
    /// buffer of 1 MiB or more back to the kernel when it is freed, keeping the peak memory of a backup low.
    static func apply() {
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in <malloc.h>
        _ = mallopt(mmapThreshold, 1 << 20)
    }
}
