import Backup
import FileIO
import Foundation
import Repository
import Testing

@Suite("Restore safety and metadata")
struct FileSystemRestoreTests {
    @Test("SafeName refuses every name that is not exactly one component, and says which and why",
          arguments: [
              (bytes("/"), RestoreSafetyError.Reason.containsSlash),
              (bytes(".."), .dotName),
              (bytes("."), .dotName),
              ([], .empty),
              (bytes("a/b"), .containsSlash),
              ([0x61, 0x00, 0x62], .containsNul),
              ([UInt8](repeating: 0x61, count: 256), .tooLong),
          ])
    func safeNameRefuses(name: [UInt8], reason: RestoreSafetyError.Reason) {
        #expect(throws: RestoreSafetyError(reason: reason, name: name)) { try SafeName.validate(name) }
        #expect(!SafeName.isSafe(name))
    }

    @Test("SafeName accepts names that only look odd")
    func safeNameAccepts() throws {
        for name in [bytes("a"), bytes("..."), bytes("..a"), bytes(".hidden"), [0xFF, 0xFE], bytes("a\\b")] {
            try SafeName.validate(name)
        }
        try SafeName.validate([UInt8](repeating: 0x61, count: 255))
    }

    @Test("a refused name is shown escaped in a message that says what to do")
    func safetyMessageEscapesName() {
        let error = RestoreSafetyError(reason: .containsNul, name: [0x61, 0x00, 0xFF, 0x62])
        #expect(error.description.contains("\"a\\x00\\xffb\""))
        #expect(error.description.contains("verify the vault"))
        #expect(error.code == "contains-nul")
        #expect(FileName.printable(bytes("café\n")) == "café\\x0a")
    }

    @Test("createFile does not follow a symlink planted at the name, so the file outside is untouched")
    func createFileRefusesPlantedSymlink() throws {
        let target = try TempDirectory()
        let outside = try TempDirectory()
        let directory = try target.open()
        try (try outside.open()).write("secret", "original")
        try directory.makeSymlink(bytes("planted"), target: Array(outside.path("secret").utf8))
        expectSystemError(ELOOP) { _ = try directory.createFile(bytes("planted"), exclusive: false) }
        expectSystemError(EEXIST) { _ = try directory.createFile(bytes("planted"), exclusive: true) }
        #expect(try contents(of: outside.path("secret")) == "original")
    }

    @Test("createFile neither blocks on a planted FIFO nor writes into a planted device")
    func createFileRefusesSpecialFiles() throws {
        let temp = try TempDirectory()
        let directory = try temp.open()
        try directory.makeNode(bytes("fifo"), kind: .fifo, mode: 0o600, rdev: 0)
        expectSystemError(ENXIO) { _ = try directory.createFile(bytes("fifo"), exclusive: false) }
        try directory.makeNode(bytes("null"), kind: .characterDevice, mode: 0o600, rdev: DeviceNumber(major: 1, minor: 3).rdev)
        expectSystemError(EINVAL) { _ = try directory.createFile(bytes("null"), exclusive: false) }
        let fd = try directory.createFile(bytes("new"), exclusive: true)
        close(fd)
        #expect(try directory.status("new").mode == 0o600)
    }

    @Test("applyMetadata sets owner 1234:5678, then a setuid mode that chown would have cleared, then nanosecond mtime")
    func applyMetadataOnFile() throws {
        let temp = try TempDirectory()
        let directory = try temp.open()
        try directory.write("tool", "#!/bin/sh\n")
        try directory.applyMetadata(to: bytes("tool"), RestoreMetadata(
            uid: 1234, gid: 5678, mode: 0o4755, mtimeSeconds: 1_234_567_890, mtimeNanoseconds: 123_456_789,
            atimeSeconds: 1_000_000_000, atimeNanoseconds: 5))
        let status = try directory.status("tool")
        #expect(status.uid == 1234 && status.gid == 5678)
        #expect(status.mode == 0o4755)
        #expect(status.mtimeSeconds == 1_234_567_890 && status.mtimeNanoseconds == 123_456_789)
        var raw = stat()
        #expect(stat(temp.path("tool"), &raw) == 0)
        #expect(raw.st_atim.tv_sec == 1_000_000_000 && raw.st_atim.tv_nsec == 5)

        // Owner only: the group and mode stay, except that chown clears setuid as the kernel must.
        try directory.applyMetadata(to: bytes("tool"), RestoreMetadata(uid: 42, mtimeSeconds: 7))
        let after = try directory.status("tool")
        #expect(after.uid == 42 && after.gid == 5678 && after.mode == 0o755 && after.mtimeSeconds == 7)
    }

    @Test("applyMetadata on a symlink sets the link's owner and times and leaves its target alone")
    func applyMetadataOnSymlink() throws {
        let temp = try TempDirectory()
        let directory = try temp.open()
        try directory.write("target", "x")
        try directory.applyMetadata(to: bytes("target"), RestoreMetadata(uid: 0, gid: 0, mode: 0o644, mtimeSeconds: 1_500_000_000))
        try directory.makeSymlink(bytes("link"), target: bytes("target"))
        try directory.applyMetadata(to: bytes("link"), RestoreMetadata(
            uid: 1234, gid: 5678, mode: 0o600, mtimeSeconds: 1_111_111_111, mtimeNanoseconds: 999_999_999))
        let link = try directory.status("link")
        #expect(link.kind == .symlink && link.uid == 1234 && link.gid == 5678)
        #expect(link.mtimeSeconds == 1_111_111_111 && link.mtimeNanoseconds == 999_999_999)
        let target = try directory.status("target")
        #expect(target.uid == 0 && target.gid == 0 && target.mode == 0o644 && target.mtimeSeconds == 1_500_000_000)
    }

    @Test("remove deletes a tree but only the symlinks in it, never what they point to")
    func removeDoesNotFollowSymlinks() throws {
        let temp = try TempDirectory()
        let outside = try TempDirectory()
        try (try outside.open()).write("keep", "precious")
        let directory = try temp.open()
        try directory.makeDirectory(bytes("tree"), mode: 0o755)
        let tree = try Directory.open(at: directory, name: bytes("tree"))
        try tree.makeDirectory(bytes("deeper"), mode: 0o755)
        let deeper = try Directory.open(at: tree, name: bytes("deeper"))
        try deeper.write("file", "x")
        try deeper.makeSymlink(bytes("to-outside"), target: Array(outside.path.utf8))
        try tree.makeSymlink(bytes("to-keep"), target: Array(outside.path("keep").utf8))

        try directory.remove(bytes("tree"))
        #expect(directory.exists(bytes("tree")) == nil)
        #expect(try contents(of: outside.path("keep")) == "precious")
        #expect(try (try outside.open()).entries() == [bytes("keep")])
        expectSystemError(ENOENT) { try directory.remove(bytes("tree")) }
    }

    @Test("rename moves within and across directories, hard links share an inode, exists reports kinds")
    func renameLinkAndExists() throws {
        let temp = try TempDirectory()
        let directory = try temp.open()
        try directory.makeDirectory(bytes("sub"), mode: 0o700)
        expectSystemError(EEXIST) { try directory.makeDirectory(bytes("sub"), mode: 0o700) }
        let sub = try Directory.open(at: directory, name: bytes("sub"))
        try directory.write("tmp", "content")
        try directory.rename(bytes("tmp"), to: bytes("final"))
        #expect(directory.exists(bytes("tmp")) == nil)
        try sub.makeHardLink(bytes("twin"), to: bytes("final"), in: directory)
        #expect(sub.exists(bytes("twin"))?.inode == directory.exists(bytes("final"))?.inode)
        try directory.rename(bytes("final"), to: bytes("moved"), in: sub)
        #expect(try sub.entries() == [bytes("moved"), bytes("twin")])
        #expect(sub.exists(bytes("moved"))?.linkCount == 2)
        #expect(directory.exists(bytes("sub"))?.kind == .directory)
        expectSystemError(EINVAL) { try directory.makeNode(bytes("x"), kind: .regular, mode: 0o600, rdev: 0) }
        expectSystemError(EINVAL) { try directory.makeSymlink(bytes("x"), target: []) }
    }
}
