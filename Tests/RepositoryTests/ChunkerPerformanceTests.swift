#if canImport(Glibc)
import Glibc
#endif
import Repository
import Testing

/// ChunkerPerformanceTests measure chunking throughput and print it; they never assert on time.
@Suite("Chunker throughput", .serialized)
struct ChunkerPerformanceTests {
    typealias Support = ChunkerTestSupport

    func megabytesPerSecond(bytes: Int, _ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let elapsed = try clock.measure(body)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(bytes) / 1e6 / seconds
    }

    @Test("nextCut throughput on 256 MiB of random data is printed", arguments: [
        ChunkerParameters.default, ChunkerTestSupport.small,
    ])
    func nextCutThroughput(parameters: ChunkerParameters) {
        let chunker = Chunker(parameters: parameters, key: Support.keyA)
        var total = 0
        let rate = megabytesPerSecond(bytes: Support.random256MiB.count) {
            total = Support.random256MiB.withUnsafeBytes { raw in
                var position = 0
                while position < raw.count {
                    position += chunker.nextCut(in: UnsafeRawBufferPointer(rebasing: raw[position...]), isFinal: true)!
                }
                return position
            }
        }
        print("chunker nextCut, avg \(parameters.averageSize): \(Int(rate)) MB/s")
        #expect(total == Support.random256MiB.count)
    }

    @Test("ChunkReader throughput over a cached 256 MiB file is printed")
    func readerThroughput() throws {
        let (fd, path) = Support.makeTemporaryFile()
        try #require(fd >= 0)
        defer {
            close(fd)
            unlink(path)
        }
        let data = Support.random256MiB
        let written = data.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        try #require(written == data.count)
        let reader = ChunkReader(chunker: Chunker(parameters: .default, key: Support.keyA))
        var total = 0
        let rate = try megabytesPerSecond(bytes: data.count) {
            try reader.chunks(fd: fd, ranges: [0..<data.count]) { bytes, _ in total += bytes.count }
        }
        print("ChunkReader from page cache, avg 1 MiB: \(Int(rate)) MB/s")
        #expect(total == data.count)
    }
}
