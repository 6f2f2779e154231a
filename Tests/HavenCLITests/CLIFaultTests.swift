import FileIO
import Foundation
import Glibc
import SystemTesting
import Testing

@Suite("The command line under faults: full disk, unreadable files, files changing while read", .serialized)
struct CLIFaultTests {
    @Test("a backup onto a full disk fails with a clear message, leaves no temporary files, and the repository still checks")
    func fullDisk() throws {
        let temp = try TempDir()
        let mountPoint = temp.sub("small")
        try FileIO.makeDirectories(mountPoint)
        let mounted = try Tool.status("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", mountPoint])
        try #require(mounted == 0, "mounting a tmpfs needs root")
        defer { _ = try? Tool.status("/usr/bin/umount", [mountPoint]) }
        let source = temp.sub("source")
        try makeTree(at: source, files: 50)
        let cli = CLI(repository: mountPoint + "/repo")
        #expect(try cli.run(["repo", "init", "--pack-size", "1"]).status == 0)
        let backup = try cli.run(["backup", source])
        #expect(backup.status == 1, "\(backup.stderr)")
        #expect(backup.stderr.contains("full"), "\(backup.stderr)")
        #expect(try FileIO.listDirectory(mountPoint + "/repo/tmp").isEmpty)
        #expect(try cli.run(["check", "--read-data"]).status == 0)
    }

    @Test("a file the user cannot read is named in a warning, exit code 3, and everything else is backed up")
    func unreadableFile() throws {
        let temp = try TempDir()
        chmod(temp.path, 0o777)
        let source = temp.sub("source")
        try FileIO.makeDirectories(source)
        chmod(source, 0o755)
        try FileIO.writeFileAtomically(source + "/public.txt", Array("anyone may read".utf8), mode: 0o644)
        try FileIO.writeFileAtomically(source + "/secret.txt", Array("root only".utf8), mode: 0o600)
        let repo = temp.sub("repo")
        let cli = CLI(repository: repo)
        #expect(try cli.run(["repo", "init"]).status == 0)
        _ = try Tool.status("/usr/bin/chown", ["-R", "65534:65534", repo])
        // The same binary, as user nobody.
        var asNobody = cli
        asNobody.wrapper = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
        let backup = try asNobody.run(["backup", source])
        #expect(backup.status == 3, "\(backup.stdout) \(backup.stderr)")
        #expect(backup.stderr.contains("secret.txt"))
        let ls = try asNobody.run(["ls", "latest", source])
        #expect(ls.stdout.contains("public.txt"))
        #expect(!ls.stdout.contains("secret.txt"))
    }

    @Test("a file rewritten while it is read is reported")
    func changingFile() throws {
        let temp = try TempDir()
        let source = temp.sub("source")
        try FileIO.makeDirectories(source)
        let path = source + "/busy.log"
        try FileIO.writeFileAtomically(path, [UInt8](repeating: 1, count: 96 << 20), durable: false)
        let cli = CLI(repository: temp.sub("repo"))
        #expect(try cli.run(["repo", "init"]).status == 0)
        let writer = ChurningWriter(path: path)
        writer.start()
        let backup = try cli.run(["backup", source])
        writer.stop()
        #expect(backup.status == 3, "\(backup.stdout) \(backup.stderr)")
        #expect(backup.stderr.contains("busy.log: changed while it was being read"), "\(backup.stderr)")
    }
}

/// Keeps writing into a file from another thread until stopped.
final class ChurningWriter: @unchecked Sendable {
    private let path: String
    private let stopped = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    private let done = DispatchSemaphore(value: 0)

    init(path: String) {
        self.path = path
        stopped.initialize(to: 0)
    }

    deinit { stopped.deallocate() }

    func start() {
        let thread = Thread { [self] in
            let fd = open(path, O_WRONLY)
            var offset: off_t = 0
            var byte: UInt8 = 2
            while stopped.pointee == 0 {
                _ = pwrite(fd, &byte, 1, offset)
                offset = (offset + 4096) % (96 << 20)
                byte &+= 1
                usleep(200)
            }
            close(fd)
            done.signal()
        }
        thread.start()
    }

    func stop() {
        stopped.pointee = 1
        done.wait()
    }
}
