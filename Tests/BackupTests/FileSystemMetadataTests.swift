import Backup
import FileIO
import Foundation
import Repository
import Testing

@Suite("Metadata: extended attributes, ACLs, sparse files, names")
struct FileSystemMetadataTests {
    @Test("user xattrs round-trip as raw bytes, sorted by name, by name and by descriptor")
    func userAttributesRoundTrip() throws {
        let temp = try TempDirectory()
        let directory = try temp.open()
        try directory.write("file", "x")
        let binary = ExtendedAttribute(name: bytes("user.b"), value: [0x00, 0xFF, 0xFE, 0x0A])
        let text = ExtendedAttribute(name: bytes("user.a"), value: bytes("hello"))
        try directory.setExtendedAttribute(binary, on: bytes("file"))
        try directory.setExtendedAttribute(text, on: bytes("file"))
        #expect(try directory.extendedAttributes(of: bytes("file")) == [text, binary])
        #expect(try run("getfattr", "--only-values", "-n", "user.a", temp.path("file")) == "hello")

        let fd = try directory.openFile(bytes("file"))
        defer { close(fd) }
        #expect(try ExtendedAttribute.all(fd: fd) == [text, binary])
        let empty = ExtendedAttribute(name: bytes("user.empty"), value: [])
        try ExtendedAttribute.set(empty, fd: fd)
        #expect(try directory.extendedAttributes(of: bytes("file")) == [text, binary, empty])
    }

    @Test("a symlink's attributes are its own, never its target's")
    func symlinkAttributesDoNotFollow() throws {
        let temp = try TempDirectory()
        let directory = try temp.open()
        try directory.write("target", "x")
        try directory.makeSymlink(bytes("link"), target: bytes("target"))
        try directory.setExtendedAttribute(ExtendedAttribute(name: bytes("user.t"), value: [1]), on: bytes("target"))
        #expect(try directory.extendedAttributes(of: bytes("target")).count == 1)
        #expect(try directory.extendedAttributes(of: bytes("link")) == [])
        // Linux allows no user.* attributes on symlinks: setting one through the link fails
        // instead of landing on the target.
        expectSystemError(EPERM) {
            try directory.setExtendedAttribute(ExtendedAttribute(name: bytes("user.l"), value: [2]), on: bytes("link"))
        }
        #expect(try directory.extendedAttributes(of: bytes("target")).count == 1)
    }

    @Test("an ACL set with setfacl survives applyMetadata onto another file and directory")
    func aclSurvivesApplyMetadata() throws {
        let temp = try TempDirectory()
        let directory = try temp.open()
        try directory.write("source", "x")
        try directory.write("copy", "x")
        try directory.makeDirectory(bytes("sourceDir"), mode: 0o755)
        try directory.makeDirectory(bytes("copyDir"), mode: 0o755)
        try run("setfacl", "-m", "u:1234:rw-,g:5678:r--", temp.path("source"))
        try run("setfacl", "-m", "u:1234:rwx", "-d", "-m", "u:4321:r-x", temp.path("sourceDir"))

        let fileAttributes = try directory.extendedAttributes(of: bytes("source"))
        #expect(fileAttributes.map(\.name) == [ExtendedAttribute.accessACL])
        let source = try directory.status("source")
        try directory.applyMetadata(to: bytes("copy"), RestoreMetadata(
            mode: source.mode, xattrs: fileAttributes, mtimeSeconds: 1_700_000_000))
        #expect(try directory.extendedAttributes(of: bytes("copy")) == fileAttributes)
        let acl = try run("getfacl", "--omit-header", "--numeric", temp.path("copy"))
        #expect(acl.contains("user:1234:rw-") && acl.contains("group:5678:r--"))
        #expect(acl == (try run("getfacl", "--omit-header", "--numeric", temp.path("source"))))

        let directoryAttributes = try directory.extendedAttributes(of: bytes("sourceDir"))
        #expect(directoryAttributes.map(\.name) == [ExtendedAttribute.accessACL, ExtendedAttribute.defaultACL])
        try directory.applyMetadata(to: bytes("copyDir"), RestoreMetadata(
            xattrs: directoryAttributes, mtimeSeconds: 1_700_000_000))
        let sourceDir = try Directory.open(at: directory, name: bytes("sourceDir"))
        #expect(try sourceDir.extendedAttributes() == directoryAttributes)
        let defaults = try run("getfacl", "--omit-header", "--numeric", "-d", temp.path("copyDir"))
        #expect(defaults.contains("user:4321:r-x"))
    }

    @Test("a 10 MiB file with 4 KiB written at 5 MiB has one small data range around 5 MiB")
    func sparseFileRanges() throws {
        let temp = try TempDirectory()
        let directory = try temp.open()
        let fd = try directory.createFile(bytes("sparse"), exclusive: true)
        defer { close(fd) }
        let size: UInt64 = 10 << 20, offset: UInt64 = 5 << 20
        try FileIO.call("ftruncate") { ftruncate(fd, off_t(size)) }
        let block = [UInt8](repeating: 0xAB, count: 4096)
        #expect(pwrite(fd, block, block.count, off_t(offset)) == 4096)
        fsync(fd)

        let ranges = try SparseFile.dataRanges(fd: fd, size: size)
        #expect(ranges.count == 1)
        let range = try #require(ranges.first)
        #expect(range.lowerBound <= offset && range.upperBound >= offset + 4096)
        #expect(range.count < 1 << 20)
        #expect(try directory.status("sparse").blocks * 512 < 1 << 20)
        #expect(lseek(fd, 0, SEEK_CUR) == 0)
    }

    @Test("a file without holes is one range, an empty file none, a file that is all hole none")
    func denseAndEmptyRanges() throws {
        let temp = try TempDirectory()
        let directory = try temp.open()
        try directory.write("dense", String(repeating: "z", count: 10_000))
        let dense = try directory.openFile(bytes("dense"))
        defer { close(dense) }
        #expect(try SparseFile.dataRanges(fd: dense, size: 10_000) == [0..<10_000])
        #expect(try SparseFile.dataRanges(fd: dense, size: 0) == [])
        let hole = try directory.createFile(bytes("hole"), exclusive: true)
        defer { close(hole) }
        #expect(ftruncate(hole, 1 << 20) == 0)
        #expect(try SparseFile.dataRanges(fd: hole, size: 1 << 20) == [])
    }

    @Test("NameCache maps 0 to root both ways and answers nil for an id nobody has")
    func nameCacheMapsRoot() {
        let names = NameCache()
        #expect(names.userName(0) == "root")
        #expect(names.groupName(0) == "root")
        #expect(names.userName(0) == "root")
        #expect(names.userID(named: "root") == 0)
        #expect(names.groupID(named: "root") == 0)
        #expect(names.userName(3_999_999_999) == nil)
        #expect(names.userID(named: "no-such-user-haven") == nil)
    }
}
