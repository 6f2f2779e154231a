import FileIO
import Foundation
import Testing

@Suite("Reading files")
struct ReadTests {
    @Test("readFile returns exactly the bytes on disk, empty and large files included")
    func readsWholeFiles() throws {
        let scratch = try ScratchDirectory()
        for count in [0, 1, 65_536, 3_000_001] {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ count) }
            try FileIO.writeFileAtomically(scratch.file("f\(count)"), bytes, durable: false)
            #expect(try FileIO.readFile(scratch.file("f\(count)")) == bytes)
        }
    }

    @Test("readFile reads files whose size stat reports as zero, such as /proc files")
    func readsProcFiles() throws {
        #expect(try FileIO.fileSize("/proc/self/status") == 0)
        let text = String(decoding: try FileIO.readFile("/proc/self/status"), as: UTF8.self)
        #expect(text.hasPrefix("Name:"))
        #expect(text.contains("\nPid:"))
    }

    @Test("a missing file fails with ENOENT naming the call and the path")
    func missingFileNamesPath() throws {
        let scratch = try ScratchDirectory()
        let error = expectSystemError(ENOENT) { _ = try FileIO.readFile(scratch.file("nope")) }
        #expect(error?.operation == "open")
        #expect(error?.path == scratch.file("nope"))
        #expect(error?.description == "open \(scratch.file("nope")): No such file or directory")
    }

    @Test("readFile(range:) returns the range, and is short only where the file ends")
    func readsRanges() throws {
        let scratch = try ScratchDirectory()
        let bytes = Array(UInt8(0)..<UInt8(100))
        try FileIO.writeFileAtomically(scratch.file("r"), bytes, durable: false)
        #expect(try FileIO.readFile(scratch.file("r"), range: 10..<20) == Array(bytes[10..<20]))
        #expect(try FileIO.readFile(scratch.file("r"), range: 90..<100) == Array(bytes[90..<100]))
        #expect(try FileIO.readFile(scratch.file("r"), range: 95..<120) == Array(bytes[95..<100]))
        #expect(try FileIO.readFile(scratch.file("r"), range: 200..<210) == [])
        #expect(try FileIO.readFile(scratch.file("r"), range: 5..<5) == [])
        expectSystemError(EINVAL) { _ = try FileIO.readFile(scratch.file("r"), range: -1..<3) }
    }

    @Test("preadAll fills the buffer from the offset and reports a short count at EOF")
    func preadAllStopsAtEOF() throws {
        let scratch = try ScratchDirectory()
        try FileIO.writeFileAtomically(scratch.file("p"), Array(1...10), durable: false)
        let fd = try FileIO.openForReading(scratch.file("p"))
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 16)
        let full = try buffer.withUnsafeMutableBytes { try FileIO.preadAll(fd: fd, into: $0, offset: 0, path: nil) }
        #expect(full == 10)
        let count = try buffer.withUnsafeMutableBytes { try FileIO.preadAll(fd: fd, into: $0, offset: 4, path: nil) }
        #expect(count == 6)
        #expect(Array(buffer[0..<6]) == [5, 6, 7, 8, 9, 10])
        let small = try buffer.withUnsafeMutableBytes {
            try FileIO.preadAll(fd: fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<3]), offset: 1, path: nil)
        }
        #expect(small == 3)
        #expect(Array(buffer[0..<3]) == [2, 3, 4])
    }

    @Test("fileSize, status and exists describe files, directories and symbolic links")
    func describesPaths() throws {
        let scratch = try ScratchDirectory()
        try FileIO.writeFileAtomically(scratch.file("f"), Array(repeating: 7, count: 1234), durable: false)
        #expect(try FileIO.fileSize(scratch.file("f")) == 1234)
        #expect(try FileIO.status(scratch.file("f")).kind == .regular)
        #expect(try FileIO.status(scratch.path).kind == .directory)
        #expect(symlink("f", scratch.file("link")) == 0)
        #expect(try FileIO.status(scratch.file("link")).kind == .symbolicLink)
        #expect(try FileIO.fileSize(scratch.file("link")) == 1234)
        #expect(symlink("missing", scratch.file("dangling")) == 0)
        #expect(FileIO.exists(scratch.file("f")))
        #expect(FileIO.exists(scratch.file("dangling")))
        #expect(!FileIO.exists(scratch.file("missing")))
        #expect(FileIO.isDirectory(scratch.path))
        #expect(!FileIO.isDirectory(scratch.file("f")))
        expectSystemError(ENOENT) { _ = try FileIO.fileSize(scratch.file("missing")) }
        let now = Int(Date().timeIntervalSince1970)
        #expect(abs(try FileIO.status(scratch.file("f")).modificationTime - now) < 60)
    }
}
