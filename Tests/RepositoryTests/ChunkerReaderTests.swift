#if canImport(Glibc)
import Glibc
#endif
import Repository
import Testing

/// ChunkerReaderTests prove that ChunkReader reads files into the chunks nextCut gives, and fails cleanly.
@Suite("ChunkReader")
struct ChunkerReaderTests {
    typealias Support = ChunkerTestSupport

    struct Piece: Equatable {
        let offset: Int
        let length: Int
        let hash: UInt64
    }

    /// A temporary file holding `data` at each given offset (holes elsewhere), removed by `close()`.
    final class TempFile {
        let fd: Int32
        let path: String

        init(size: Int, writes: [(offset: Int, bytes: ArraySlice<UInt8>)]) throws {
            (fd, path) = Support.makeTemporaryFile()
            try #require(fd >= 0)
            try #require(ftruncate(fd, off_t(size)) == 0)
            for write in writes {
                let written = write.bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(write.offset)) }
                try #require(written == write.bytes.count)
            }
        }

        deinit {
            Glibc.close(fd)
            unlink(path)
        }
    }

    /// The pieces nextCut gives for `data[range]`, as one stream, at file offsets.
    func expectedPieces(_ chunker: Chunker, _ data: [UInt8], _ range: Range<Int>) -> [Piece] {
        data.withUnsafeBytes { raw in
            var pieces: [Piece] = []
            var offset = range.lowerBound
            for length in Support.cuts(chunker, UnsafeRawBufferPointer(rebasing: raw[range])) {
                let bytes = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)])
                pieces.append(Piece(offset: offset, length: length, hash: Support.fnv(bytes)))
                offset += length
            }
            return pieces
        }
    }

    func readPieces(_ reader: ChunkReader, fd: Int32, ranges: [Range<Int>]) throws -> [Piece] {
        var pieces: [Piece] = []
        try reader.chunks(fd: fd, ranges: ranges) { bytes, offset in
            pieces.append(Piece(offset: offset, length: bytes.count, hash: Support.fnv(bytes)))
        }
        return pieces
    }

    @Test("reading a whole file gives the chunks nextCut gives over its bytes", arguments: [
        ChunkerParameters.default, ChunkerTestSupport.small,
    ])
    func wholeFile(parameters: ChunkerParameters) throws {
        let data = Support.randomBytes(count: 5 * parameters.maxSize + 777, seed: 7)
        let file = try TempFile(size: data.count, writes: [(0, data[...])])
        let chunker = Chunker(parameters: parameters, key: Support.keyA)
        let pieces = try readPieces(ChunkReader(chunker: chunker), fd: file.fd, ranges: [0..<data.count])
        #expect(pieces.count > 5)
        #expect(pieces == expectedPieces(chunker, data, 0..<data.count))
    }

    @Test("ranges that skip holes are chunked one by one at their file offsets")
    func sparseRanges() throws {
        let parameters = Support.small
        let data = Support.randomBytes(count: 1 << 20, seed: 8)
        let ranges = [0..<200_000, 300_000..<300_100, 400_000..<400_000, 512_000..<(1 << 20)]
        let file = try TempFile(size: data.count, writes: ranges.map { ($0.lowerBound, data[$0]) })
        let chunker = Chunker(parameters: parameters, key: Support.keyB)
        let reader = ChunkReader(chunker: chunker)
        let pieces = try readPieces(reader, fd: file.fd, ranges: ranges)
        let expected = ranges.flatMap { expectedPieces(chunker, data, $0) }
        #expect(pieces.count > 20)
        #expect(pieces == expected)
        #expect(pieces.contains { $0.offset == 300_000 && $0.length == 100 })
        for piece in pieces {
            #expect(ranges.contains { $0.contains(piece.offset) && piece.offset + piece.length <= $0.upperBound })
        }
        // The reader is reusable: a second pass gives the same chunks.
        #expect(try readPieces(reader, fd: file.fd, ranges: ranges) == expected)
    }

    @Test("a file shorter than its ranges reports fileChanged after delivering what it read")
    func shrunkFile() throws {
        // Larger than one refill (maxSize + 1 MiB), so chunks are delivered before the end is found missing.
        let data = Support.randomBytes(count: 3_000_000, seed: 9)
        let file = try TempFile(size: data.count, writes: [(0, data[...])])
        let reader = ChunkReader(chunker: Chunker(parameters: Support.small, key: Support.keyA))
        var delivered = 0
        #expect {
            try reader.chunks(fd: file.fd, ranges: [0..<4_000_000]) { bytes, _ in delivered += bytes.count }
        } throws: { error in
            guard let error = error as? ChunkReadError else { return false }
            return error.code == .fileChanged && error.offset == 3_000_000
        }
        #expect(delivered > 0 && delivered <= 3_000_000)
    }

    @Test("a failing read throws readFailed with its errno")
    func badDescriptor() {
        let reader = ChunkReader(chunker: Chunker(parameters: Support.small, key: Support.keyA))
        #expect {
            try reader.chunks(fd: -1, ranges: [0..<10]) { _, _ in }
        } throws: { error in
            guard let error = error as? ChunkReadError else { return false }
            return error.code == .readFailed && error.errno == EBADF && error.message.contains("Bad file descriptor")
        }
    }

    @Test("a negative range is rejected and an error from the body stops reading")
    func invalidRangeAndBodyError() throws {
        struct Stop: Error {}
        let data = Support.randomBytes(count: 200_000, seed: 10)
        let file = try TempFile(size: data.count, writes: [(0, data[...])])
        let reader = ChunkReader(chunker: Chunker(parameters: Support.small, key: Support.keyA))
        #expect(throws: ChunkReadError.self) {
            try reader.chunks(fd: file.fd, ranges: [-5..<10]) { _, _ in }
        }
        var calls = 0
        #expect(throws: Stop.self) {
            try reader.chunks(fd: file.fd, ranges: [0..<data.count]) { _, _ in
                calls += 1
                throw Stop()
            }
        }
        #expect(calls == 1)
    }
}
