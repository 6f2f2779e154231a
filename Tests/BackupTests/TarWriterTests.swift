// Tests for the tar writer: GNU tar extracts what it writes, long names and links through pax headers included, and
// misuse (a file given more or fewer bytes than declared) is refused.
import Backup
import FileIO
import Foundation
import SystemTesting
import Testing

@Suite("Tar writer")
struct TarWriterTests {
    func archive(_ path: String, _ build: (TarWriter) throws -> Void) throws {
        var bytes: [UInt8] = []
        let writer = TarWriter { bytes.append(contentsOf: $0) }
        try build(writer)
        try writer.finish()
        #expect(bytes.count % 512 == 0)
        try FileIO.writeFileAtomically(path, bytes, durable: false)
    }

    @Test("GNU tar extracts files, folders, long names, long link targets, modes, owners and times as written")
    func extracts() throws {
        let scratch = try Scratch()
        let long = String(repeating: "deep-folder-name/", count: 9) + "file-with-a-name-past-one-hundred-bytes.conf"
        let content = (0..<5000).map { UInt8($0 % 251) }
        try archive(scratch.sub("a.tar")) { tar in
            let root = TarWriter.Metadata(mode: 0o755, user: Array("root".utf8), group: Array("root".utf8), mtime: 1_700_000_000)
            try tar.addDirectory(Array("top".utf8), root)
            try tar.addFile(Array("top/small.txt".utf8), Array("hello\n".utf8),
                            TarWriter.Metadata(mode: 0o640, uid: 0, gid: 42, user: Array("root".utf8), group: Array("shadow".utf8), mtime: 1_600_000_000))
            try tar.beginFile(Array("top/\(long)".utf8), size: UInt64(content.count), TarWriter.Metadata(mode: 0o600, mtime: 1_650_000_000))
            try content.withUnsafeBytes { raw in
                try tar.write(UnsafeRawBufferPointer(rebasing: raw[0..<1234]))
                try tar.write(UnsafeRawBufferPointer(rebasing: raw[1234...]))
            }
            try tar.endFile()
            try tar.addSymlink(Array("top/link".utf8), target: Array(("/" + long).utf8), TarWriter.Metadata(mode: 0o777, mtime: 1_600_000_000))
            try tar.addFile(Array("top/empty".utf8), [], TarWriter.Metadata(mode: 0o644, mtime: 0))
        }
        let out = scratch.sub("out")
        try FileIO.makeDirectories(out)
        #expect(try Tool.status("/usr/bin/tar", ["-xpf", scratch.sub("a.tar"), "-C", out, "--same-owner"]) == 0)
        #expect(try FileIO.readFile(out + "/top/small.txt") == Array("hello\n".utf8))
        #expect(try FileIO.readFile(out + "/top/" + long) == content)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/top/link") == "/" + long)
        #expect(try FileIO.readFile(out + "/top/empty") == [])
        var status = stat()
        #expect(stat(out + "/top/small.txt", &status) == 0)
        #expect(status.st_mode & 0o7777 == 0o640)
        #expect(status.st_mtim.tv_sec == 1_600_000_000)
        #expect(stat(out + "/top/" + long, &status) == 0)
        #expect(status.st_mode & 0o7777 == 0o600)
        let listing = try Tool.output("/usr/bin/tar", ["--numeric-owner", "-tvf", scratch.sub("a.tar")])
        #expect(listing.contains("-rw-r----- 0/42"))
    }

    @Test("a pax record's length counts its own digits")
    func paxLengths() throws {
        let scratch = try Scratch()
        // Names whose records sit at the edge of a digit: 99 and 100-byte records.
        for length in [101, 150, 989, 990, 991, 4000] {
            let name = String(repeating: "n", count: length)
            try archive(scratch.sub("p.tar")) { tar in try tar.addFile(Array(name.utf8), [1, 2, 3], TarWriter.Metadata(mode: 0o644, mtime: 1)) }
            let listed = try Tool.output("/usr/bin/tar", ["-tf", scratch.sub("p.tar")])
            #expect(listed == name + "\n", "name of \(length) bytes")
        }
    }

    @Test("a file given more or fewer bytes than its header declares is refused, and so is a name with NUL")
    func misuse() throws {
        let tar = TarWriter { _ in }
        try tar.beginFile(Array("a".utf8), size: 3, TarWriter.Metadata(mode: 0o644, mtime: 0))
        #expect(throws: SystemStateError.self) { try [UInt8]([1, 2, 3, 4]).withUnsafeBytes { try tar.write($0) } }
        try [UInt8]([1, 2]).withUnsafeBytes { try tar.write($0) }
        #expect(throws: SystemStateError.self) { try tar.endFile() }
        #expect(throws: SystemStateError.self) { try tar.addDirectory(Array("b".utf8), TarWriter.Metadata(mode: 0o755, mtime: 0)) }
        let other = TarWriter { _ in }
        #expect(throws: SystemStateError.self) { try other.addDirectory([0x61, 0, 0x62], TarWriter.Metadata(mode: 0o755, mtime: 0)) }
        #expect(throws: SystemStateError.self) { try other.addDirectory([], TarWriter.Metadata(mode: 0o755, mtime: 0)) }
    }
}
