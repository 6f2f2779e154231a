import Backup
import FileIO
import Foundation
import Testing

@Suite("Directory reading")
struct FileSystemDirectoryTests {
    @Test("entries returns a non-UTF-8 name as the same bytes, sorted bytewise, without . and ..")
    func entriesKeepRawBytes() throws {
        let temp = try TempDirectory()
        let directory = try temp.open()
        let odd: [UInt8] = [0xFF, 0xFE]
        for name in [bytes("b"), odd, bytes("a"), bytes("B")] {
            close(try directory.createFile(name, exclusive: true))
        }
        let names = try directory.entries()
        #expect(names == [bytes("B"), bytes("a"), bytes("b"), odd])
        // The name on disk is exactly those two bytes: the C path with them opens the file.
        var path = Array(temp.path.utf8) + [UInt8(ascii: "/")] + odd
        path.append(0)
        let fd = path.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_RDONLY) } }
        #expect(fd >= 0)
        close(fd)
        #expect(try directory.status(of: odd).kind == .regular)

        try directory.makeDirectory([0xFD], mode: 0o700)
        close(try Directory.open(at: directory, name: [0xFD]).createFile(bytes("inner"), exclusive: true))
        let byPath = try Directory.open(path: Array(temp.path.utf8) + [UInt8(ascii: "/"), 0xFD])
        #expect(try byPath.entries() == [bytes("inner")])
        #expect(FileName.printable(byPath.path).hasSuffix("/\\xfd"))
    }

    @Test("status tells every kind of file apart, with its size, mode, device numbers and link count")
    func statusOfEveryKind() throws {
        let temp = try TempDirectory()
        let directory = try temp.open()
        try directory.write("file", "hello")
        try directory.makeDirectory(bytes("dir"), mode: 0o755)
        try directory.makeSymlink(bytes("link"), target: bytes("file"))
        #expect(mkfifo(temp.path("fifo"), 0o640) == 0)
        try bindUnixSocket(at: temp.path("socket"))
        try directory.makeNode(bytes("null"), kind: .characterDevice, mode: 0o666,
                               rdev: DeviceNumber(major: 1, minor: 3).rdev)
        try directory.makeNode(bytes("loop"), kind: .blockDevice, mode: 0o660,
                               rdev: DeviceNumber(major: 7, minor: 0).rdev)
        try directory.makeHardLink(bytes("file2"), to: bytes("file"), in: directory)

        let file = try directory.status("file")
        #expect(file.kind == .regular && file.size == 5 && file.linkCount == 2)
        let second = try directory.status("file2")
        #expect(second.inode == file.inode && second.device == file.device && second.linkCount == 2)
        #expect(try directory.status("dir").kind == .directory)
        let link = try directory.status("link")
        #expect(link.kind == .symlink && link.size == 4 && link.inode != file.inode)
        #expect(try directory.readLink(bytes("link")) == bytes("file"))
        #expect(try directory.status("fifo").kind == .fifo)
        #expect(try directory.status("fifo").mode == 0o640 & ~(try currentUmask()))
        #expect(try directory.status("socket").kind == .socket)
        let null = try directory.status("null")
        #expect(null.kind == .characterDevice && null.deviceNumber == DeviceNumber(major: 1, minor: 3))
        let loop = try directory.status("loop")
        #expect(loop.kind == .blockDevice && loop.deviceNumber == DeviceNumber(major: 7, minor: 0))
        #expect(try directory.status().kind == .directory)
        #expect(try directory.entries().count == 8)
    }

    @Test("readLink returns a long non-UTF-8 target byte for byte")
    func readLongLink() throws {
        let temp = try TempDirectory()
        let directory = try temp.open()
        let target = [UInt8](repeating: UInt8(ascii: "x"), count: 3000) + [0xC3, 0x28]
        try directory.makeSymlink(bytes("long"), target: target)
        #expect(try directory.readLink(bytes("long")) == target)
    }

    @Test("openFile reads a regular file and refuses to follow a symlink")
    func openFileDoesNotFollow() throws {
        let temp = try TempDirectory()
        let directory = try temp.open()
        try directory.write("data", "payload")
        try directory.makeSymlink(bytes("link"), target: bytes("data"))
        let fd = try directory.openFile(bytes("data"))
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(read(fd, &buffer, 16) == 7)
        #expect(Array(buffer.prefix(7)) == bytes("payload"))
        #expect(try FileStatus(fd: fd).kind == .regular)
        expectSystemError(ELOOP) { _ = try directory.openFile(bytes("link")) }
    }

    @Test("open(at:) refuses a symlink to a directory outside the tree")
    func openAtRefusesSymlink() throws {
        let temp = try TempDirectory()
        let outside = try TempDirectory()
        let directory = try temp.open()
        try directory.makeSymlink(bytes("escape"), target: Array(outside.path.utf8))
        try directory.makeDirectory(bytes("inside"), mode: 0o700)
        let inside = try Directory.open(at: directory, name: bytes("inside"))
        #expect(inside.path == Array(temp.path("inside").utf8))
        // O_DIRECTORY|O_NOFOLLOW on a symlink answers ENOTDIR on Linux: the link is not a directory.
        expectSystemError(ENOTDIR) { _ = try Directory.open(at: directory, name: bytes("escape")) }
    }

    @Test("every name-taking method refuses a name that is not one path component")
    func methodsRefuseUnsafeNames() throws {
        let temp = try TempDirectory()
        let directory = try temp.open()
        try directory.makeDirectory(bytes("sub"), mode: 0o700)
        let sub = try Directory.open(at: directory, name: bytes("sub"))
        expectSystemError(EINVAL) { _ = try sub.status(of: bytes("..")) }
        expectSystemError(EINVAL) { _ = try Directory.open(at: sub, name: bytes("..")) }
        expectSystemError(EINVAL) { try sub.makeDirectory(bytes("../escaped"), mode: 0o700) }
        expectSystemError(EINVAL) { _ = try sub.createFile(bytes("a\u{0}b"), exclusive: true) }
        expectSystemError(EINVAL) { try sub.remove(bytes("")) }
        #expect(directory.exists(bytes("escaped")) == nil)
    }

    @Test("device numbers pack and unpack like glibc's makedev, major and minor")
    func deviceNumbers() {
        #expect(DeviceNumber(major: 8, minor: 1).rdev == 0x801)
        #expect(DeviceNumber(rdev: 0x801) == DeviceNumber(major: 8, minor: 1))
        let large = DeviceNumber(major: 4095 + 70_000, minor: 1_048_000)
        #expect(DeviceNumber(rdev: large.rdev) == large)
        #expect(large.rdev != DeviceNumber(major: 4095, minor: 1_048_000).rdev)
    }
}

/// Binds a Unix stream socket at `path`, which leaves a socket node in the filesystem.
func bindUnixSocket(at path: String) throws {
    let socketFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    #expect(socketFD >= 0)
    defer { close(socketFD) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let pathBytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: pathBytes.prefix(raw.count - 1))
    }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    try FileIO.call("bind", path: path) { result }
}

/// The process umask, read from /proc rather than with umask(2), which would change it for the
/// tests running in parallel.
func currentUmask() throws -> UInt32 {
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    let line = status.split(separator: "\n").first { $0.hasPrefix("Umask:") } ?? "Umask: 0022"
    return UInt32(line.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8) ?? 0o022
}
