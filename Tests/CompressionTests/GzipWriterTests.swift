// Tests for streaming gzip: pieces of any size make one member that Gzip and the gzip tool read back.
import Compression
import Foundation
import Testing

@Suite("GzipWriter")
struct GzipWriterTests {
    func stream(_ input: [UInt8], pieces: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        let writer = try GzipWriter(level: 6) { output.append(contentsOf: $0) }
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + pieces)
            try writer.write(Array(input[offset..<end]))
            offset = end
        }
        try writer.finish()
        return output
    }

    @Test("written in pieces of any size, the stream decompresses to the input", arguments: [1, 1000, 70_000, 1 << 20])
    func pieces(size: Int) throws {
        let input = TestData.text(600_000) + TestData.noise(300_000)
        let packed = try stream(input, pieces: size)
        #expect(packed.prefix(2) == [0x1f, 0x8b])
        #expect(try Gzip.decompress(packed, limit: input.count) == input)
    }

    @Test("an empty stream is a valid gzip member, and the gzip tool reads what the writer wrote")
    func interoperates() throws {
        #expect(try Gzip.decompress(try stream([], pieces: 1), limit: 0) == [])
        let input = TestData.text(200_000)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("haven-gzipwriter-\(getpid()).gz").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(try stream(input, pieces: 4096)).write(to: URL(fileURLWithPath: path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(Array(data) == input)
    }

    @Test("writing after finish is refused")
    func afterFinish() throws {
        let writer = try GzipWriter { _ in }
        try writer.finish()
        #expect(throws: CompressionError.self) { try writer.write([1, 2, 3]) }
    }
}
