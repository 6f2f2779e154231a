import Backup
import FileIO
import Foundation
import Glibc
import SystemTesting

/// Builds a directory tree holding every case a backup must keep, and compares two trees exactly.
enum TreeFixture {
    /// Creates the tree under `root` (which must exist): regular, empty, large and sparse files, non-UTF-8 names,
    /// setuid/setgid/sticky modes, foreign owners, nanosecond times, xattrs, ACLs, symlinks, hard links,
    /// a fifo, a socket, character and block devices.
    static func make(at root: String) throws {
        func path(_ relative: String) -> String { root + "/" + relative }
        try FileIO.makeDirectories(path("docs/nested/deeper"))
        try FileIO.makeDirectories(path("special"))
        try FileIO.makeDirectories(path("sticky"))
        for i in 0..<40 {
            let text = String(repeating: "document \(i) line of text that compresses well\n", count: 50 + i * 7)
            try write(path("docs/file-\(i).txt"), Array(text.utf8))
        }
        try write(path("docs/nested/deeper/empty"), [])
        var generator = SystemRandomNumberGenerator()
        let random = (0..<(3 * 1024 * 1024 + 12345)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try write(path("docs/nested/large.bin"), random)
        // A sparse file: 20 MiB with data at 4 MiB and at the very end.
        let sparse = path("docs/sparse.img")
        let fd = open(sparse, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0)
        ftruncate(fd, 20 * 1024 * 1024)
        _ = Array(repeating: UInt8(7), count: 8192).withUnsafeBytes { pwrite(fd, $0.baseAddress, 8192, 4 * 1024 * 1024) }
        _ = Array(repeating: UInt8(9), count: 100).withUnsafeBytes { pwrite(fd, $0.baseAddress, 100, 20 * 1024 * 1024 - 100) }
        close(fd)
        // A name that is not UTF-8.
        let odd: [UInt8] = Array(root.utf8) + Array("/docs/caf".utf8) + [0xE9, 0xFF, 0x2E, 0x74, 0x78, 0x74]
        let oddC = odd.map { CChar(bitPattern: $0) } + [0]
        let oddFD = open(oddC, O_WRONLY | O_CREAT | O_TRUNC, 0o640)
        precondition(oddFD >= 0)
        _ = Array("latin-1 name".utf8).withUnsafeBytes { Glibc.write(oddFD, $0.baseAddress, $0.count) }
        close(oddFD)
        try write(path("special/setuid"), Array("#!/bin/sh\n".utf8))
        chmod(path("special/setuid"), 0o4755)
        try write(path("special/setgid"), Array("x".utf8))
        chmod(path("special/setgid"), 0o2750)
        chmod(path("sticky"), 0o1777)
        try write(path("special/owned"), Array("owned by someone else".utf8))
        chown(path("special/owned"), 1234, 5678)
        try write(path("special/xattrs"), Array("has attributes".utf8))
        try Tool.run("/usr/bin/setfattr", ["-n", "user.comment", "-v", "kept", path("special/xattrs")])
        try Tool.run("/usr/bin/setfattr", ["-n", "user.binary", "-v", "0x000102ff", path("special/xattrs")])
        try write(path("special/acl"), Array("has an ACL".utf8))
        try Tool.run("/usr/bin/setfacl", ["-m", "u:1234:rw,g:5678:r", path("special/acl")])
        try Tool.run("/usr/bin/setfacl", ["-d", "-m", "u:1234:rwx", path("sticky")])
        symlink("../docs/file-1.txt", path("special/relative-link"))
        symlink("/nonexistent/target", path("special/dangling-link"))
        link(path("docs/file-2.txt"), path("special/hardlink-to-file-2"))
        mkfifo(path("special/fifo"), 0o620)
        mknod(path("special/null-device"), S_IFCHR | 0o666, dev_t(DeviceNumber(major: 1, minor: 3).rdev))
        mknod(path("special/block-device"), S_IFBLK | 0o660, dev_t(DeviceNumber(major: 7, minor: 200).rdev))
        makeSocket(path("special/socket"))
        // Nanosecond modification times, set last (creating entries changes the directories' times).
        var times = [timespec(tv_sec: 1_600_000_000, tv_nsec: 123_456_789), timespec(tv_sec: 1_600_000_000, tv_nsec: 123_456_789)]
        utimensat(AT_FDCWD, path("docs/file-3.txt"), &times, 0)
        utimensat(AT_FDCWD, path("special/relative-link"), &times, AT_SYMLINK_NOFOLLOW)
    }

    static func write(_ path: String, _ bytes: [UInt8]) throws {
        try FileIO.writeFileAtomically(path, bytes, durable: false)
    }

    static func makeSocket(_ path: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
    }

    /// Lists every difference between two trees: kind, mode, owner, size, mtime (ns), content, link target,
    /// device numbers, xattrs (ACLs included), hard-link structure, and that sparse files stayed sparse.
    /// Entries whose relative path ("/docs/nested") is in `ignoring` must exist in both trees; nothing else of them is compared.
    static func differences(_ a: String, _ b: String, checkDirectoryTimes: Bool = true, ignoring: Set<String> = []) -> [String] {
        var problems: [String] = []
        var linksA: [String: String] = [:]
        var linksB: [String: String] = [:]
        compare(a, b, relative: "", problems: &problems, checkDirectoryTimes: checkDirectoryTimes, ignoring: ignoring,
                linksA: &linksA, linksB: &linksB)
        return problems
    }

    private static func entries(_ path: String) -> [[UInt8]] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix(while: { $0 != 0 })) }
            if name != [46] && name != [46, 46] { names.append(name) }
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    private static func cPath(_ bytes: [UInt8]) -> [CChar] { bytes.map { CChar(bitPattern: $0) } + [0] }

    private static func compare(_ a: String, _ b: String, relative: String, problems: inout [String], checkDirectoryTimes: Bool,
                                ignoring: Set<String> = [], linksA: inout [String: String], linksB: inout [String: String]) {
        let left = entries(a), right = entries(b)
        if left != right {
            problems.append("\(relative)/: entries differ: \(left.map { String(decoding: $0, as: UTF8.self) }) vs \(right.map { String(decoding: $0, as: UTF8.self) })")
            return
        }
        for name in left {
            let pa = Array(a.utf8) + [47] + name, pb = Array(b.utf8) + [47] + name
            let rel = relative + "/" + String(decoding: name, as: UTF8.self)
            if ignoring.contains(rel) { continue }
            var sa = stat(), sb = stat()
            lstat(cPath(pa), &sa)
            lstat(cPath(pb), &sb)
            func check<T: Equatable>(_ what: String, _ x: T, _ y: T) {
                if x != y { problems.append("\(rel): \(what) \(x) != \(y)") }
            }
            check("type/mode", sa.st_mode, sb.st_mode)
            check("uid", sa.st_uid, sb.st_uid)
            check("gid", sa.st_gid, sb.st_gid)
            let isDir = sa.st_mode & S_IFMT == S_IFDIR
            if !isDir || checkDirectoryTimes {
                check("mtime", sa.st_mtim.tv_sec, sb.st_mtim.tv_sec)
                check("mtime ns", sa.st_mtim.tv_nsec, sb.st_mtim.tv_nsec)
            }
            check("xattrs", xattrs(pa), xattrs(pb))
            switch sa.st_mode & S_IFMT {
            case S_IFREG:
                check("size", sa.st_size, sb.st_size)
                if (try? FileIO.readFile(String(decoding: pa, as: UTF8.self))) != (try? FileIO.readFile(String(decoding: pb, as: UTF8.self))) || content(pa) != content(pb) {
                    problems.append("\(rel): content differs")
                }
                if sa.st_blocks * 512 < sa.st_size && sb.st_blocks > sa.st_blocks + 64 {
                    problems.append("\(rel): sparse file restored dense (\(sb.st_blocks) blocks vs \(sa.st_blocks))")
                }
                if sa.st_nlink > 1 {
                    let keyA = "\(sa.st_dev):\(sa.st_ino)", keyB = "\(sb.st_dev):\(sb.st_ino)"
                    if let first = linksA[keyA] {
                        if linksB[keyB] != first { problems.append("\(rel): hard link to \(first) not restored as one") }
                    } else {
                        linksA[keyA] = rel
                        linksB[keyB] = rel
                    }
                }
            case S_IFLNK:
                check("link target", readLink(pa), readLink(pb))
            case S_IFCHR, S_IFBLK:
                check("device", sa.st_rdev, sb.st_rdev)
            case S_IFDIR:
                compare(String(decoding: pa, as: UTF8.self), String(decoding: pb, as: UTF8.self), relative: rel, problems: &problems,
                        checkDirectoryTimes: checkDirectoryTimes, ignoring: ignoring, linksA: &linksA, linksB: &linksB)
            default:
                break
            }
        }
    }

    private static func content(_ path: [UInt8]) -> [UInt8] {
        let fd = open(cPath(path), O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }

    private static func readLink(_ path: [UInt8]) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(cPath(path), &buffer, buffer.count)
        return n > 0 ? buffer[0..<n].map { UInt8(bitPattern: $0) } : []
    }

    /// Extended attributes (ACLs included) as `getfattr` reports them, independent of Haven's own code.
    static func xattrs(_ path: [UInt8]) -> String {
        let text = (try? Tool.output("/usr/bin/getfattr", ["--absolute-names", "--no-dereference", "-d", "-m", "-", "-e", "hex",
                                                   String(decoding: path, as: UTF8.self)])) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
    }
}
