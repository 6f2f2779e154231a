// Prints throughput of blob compression; informational only, it never asserts on time.
import Compression
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// This thread's CPU time in seconds; the machine is shared, so wall-clock rates would measure the neighbours.
func threadCPUSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Runs `body` for about `seconds` of CPU time and returns MB/s (10^6 bytes per second).
func megabytesPerSecond(bytesPerCall: Int, seconds: Double = 0.3, _ body: () throws -> Void) rethrows -> Double {
    try body()
    let start = threadCPUSeconds()
    var calls = 0
    var elapsed = 0.0
    repeat {
        try body()
        calls += 1
        elapsed = threadCPUSeconds() - start
    } while elapsed < seconds
    return Double(bytesPerCall * calls) / elapsed / 1e6
}

@Suite("Compression speed (prints, never asserts on time)")
struct CompressionSpeedTests {
    @Test("prints MB/s and ratio for zstd-3 and zlib-6 on 1 MiB of text")
    func measure() throws {
        let text = TestData.text(1 << 20)
        for codec in [Codec.zstd, .zlib] {
            let compressor = try Compressor(codec: codec)
            var output: [UInt8] = []
            let packing = try megabytesPerSecond(bytesPerCall: text.count) {
                output.removeAll(keepingCapacity: true)
                _ = try text.withUnsafeBytes { try compressor.compress($0, into: &output) }
            }
            let decompressor = Decompressor()
            let unpacking = try megabytesPerSecond(bytesPerCall: text.count) {
                _ = try output.withUnsafeBytes { try decompressor.decompress($0, codec: codec, expectedSize: text.count) }
            }
            let ratio = Double(text.count) / Double(output.count)
            print("speed \(codec.name)-\(codec.defaultLevel) 1 MiB text: compress \(Int(packing)) MB/s, decompress \(Int(unpacking)) MB/s, ratio \((ratio * 100).rounded() / 100)")
        }
        let noise = TestData.noise(1 << 20)
        let compressor = try Compressor(codec: .zstd)
        var output: [UInt8] = []
        let rejecting = try megabytesPerSecond(bytesPerCall: noise.count) {
            _ = try noise.withUnsafeBytes { try compressor.compress($0, into: &output) }
        }
        print("speed zstd-3 1 MiB noise (returns false): \(Int(rejecting)) MB/s")
    }
}
