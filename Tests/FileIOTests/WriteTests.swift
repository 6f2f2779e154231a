import FileIO
import Foundation
import Testing

@Suite("Writing files")
struct WriteTests {
    @Test("writeFileAtomically creates or replaces the file with the mode asked and leaves no temp file")
    func replacesAtomically() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("target")
        try FileIO.writeFileAtomically(path, Array("first".utf8), mode: 0o600)
        try FileIO.writeFileAtomically(path, Array("second, longer".utf8), mode: 0o600)
        #expect(try FileIO.readFile(path) == Array("second, longer".utf8))
        var raw = stat()
        #expect(stat(path, &raw) == 0)
        #expect(raw.st_mode & 0o777 == 0o600)
        #expect(try FileIO.listDirectory(scratch.path) == ["target"])
    }

    @Test("writeFileAtomically leaves nothing behind when the rename fails")
    func renameFailureLeavesNothing() throws {
        let scratch = try ScratchDirectory()
        // A non-empty directory cannot be replaced by a file, so the rename step fails after the write.
        try FileIO.makeDirectories(scratch.file("taken/child"))
        expectSystemError(EISDIR) { try FileIO.writeFileAtomically(scratch.file("taken"), [1, 2, 3]) }
        #expect(try temporaryNames(in: scratch.path) == [])
        #expect(FileIO.isDirectory(scratch.file("taken/child")))
    }

    @Test("writeFileAtomically into a missing directory fails with ENOENT")
    func missingDirectory() throws {
        let scratch = try ScratchDirectory()
        expectSystemError(ENOENT) { try FileIO.writeFileAtomically(scratch.file("no/such/file"), [1]) }
    }

    @Test("on a full disk writeFileAtomically fails with ENOSPC, removes its temp file and keeps the old content")
    func fullDiskLeavesNothing() throws {
        guard let disk = try SmallFilesystem.mount() else { return }
        let path = disk.path + "/kept"
        try FileIO.writeFileAtomically(path, Array("old".utf8))
        let error = expectSystemError(ENOSPC) {
            try FileIO.writeFileAtomically(path, [UInt8](repeating: 1, count: 2 << 20))
        }
        #expect(error?.isNoSpace == true)
        #expect(try temporaryNames(in: disk.path) == [])
        #expect(try FileIO.readFile(path) == Array("old".utf8))
        // The space is really free again: a write that fits succeeds.
        try FileIO.writeFileAtomically(path, [UInt8](repeating: 2, count: 512 << 10))
        #expect(try FileIO.fileSize(path) == 512 << 10)
    }

    @Test("writeTemporaryFile creates a .tmp- file with the content, a new name each time")
    func temporaryFiles() throws {
        let scratch = try ScratchDirectory()
        let first = try FileIO.writeTemporaryFile(in: scratch.path, [9, 8, 7])
        let second = try FileIO.writeTemporaryFile(in: scratch.path, [9, 8, 7], durable: false)
        #expect(first != second)
        #expect(FileIO.parentDirectory(of: first) == scratch.path)
        #expect(try temporaryNames(in: scratch.path).count == 2)
        #expect(try FileIO.readFile(first) == [9, 8, 7])
    }

    @Test("writeAll writes every byte through the descriptor")
    func writeAllWritesEverything() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("w")
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        #expect(fd >= 0)
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0) }
        try bytes.withUnsafeBytes { try FileIO.writeAll(fd: fd, $0, path: path) }
        try FileIO.writeAll(fd: fd, [1, 2], path: path)
        close(fd)
        #expect(try FileIO.readFile(path) == bytes + [1, 2])
        expectSystemError(EBADF) { try FileIO.writeAll(fd: fd, [1], path: path) }
    }

    @Test("link refuses a taken name with EEXIST; rename replaces it")
    func linkAndRename() throws {
        let scratch = try ScratchDirectory()
        try FileIO.writeFileAtomically(scratch.file("a"), [1])
        try FileIO.writeFileAtomically(scratch.file("b"), [2])
        expectSystemError(EEXIST) { try FileIO.link(scratch.file("a"), to: scratch.file("b")) }
        #expect(try FileIO.readFile(scratch.file("b")) == [2])
        try FileIO.link(scratch.file("a"), to: scratch.file("c"))
        #expect(try FileIO.readFile(scratch.file("c")) == [1])
        try FileIO.rename(scratch.file("a"), to: scratch.file("b"))
        #expect(try FileIO.readFile(scratch.file("b")) == [1])
        #expect(!FileIO.exists(scratch.file("a")))
        try FileIO.removeFile(scratch.file("c"))
        #expect(try FileIO.listDirectory(scratch.path) == ["b"])
        expectSystemError(ENOENT) { try FileIO.removeFile(scratch.file("c")) }
    }

    @Test("syncDirectory succeeds on a directory and names the path when it fails")
    func syncDirectory() throws {
        let scratch = try ScratchDirectory()
        try FileIO.syncDirectory(scratch.path)
        let error = expectSystemError(ENOENT) { try FileIO.syncDirectory(scratch.file("gone")) }
        #expect(error?.path == scratch.file("gone"))
    }

    @Test("parentDirectory handles bare names, the root and nested paths", arguments: [
        ("file", "."), ("/file", "/"), ("/a/b/c", "/a/b"), ("a/b", "a"),
    ])
    func parentDirectory(path: String, parent: String) {
        #expect(FileIO.parentDirectory(of: path) == parent)
    }
}
