import Backup
import FileIO
import Glibc
import Testing

@Suite("Directory walk speed")
struct FileSystemPerformanceTests {
    @Test("entries() and status(of:) walk a tree of 20,000 files, and the rate is printed")
    func walkTwentyThousandFiles() throws {
        let temp = try TempDirectory()
        let root = try temp.open()
        for group in 0..<20 {
            let name = bytes("dir\(group)")
            try root.makeDirectory(name, mode: 0o755)
            let directory = try Directory.open(at: root, name: name)
            for index in 0..<1000 {
                close(try directory.createFile(bytes("file-\(index)"), exclusive: true))
            }
        }

        let clock = ContinuousClock()
        var counts = (files: 0, directories: 0)
        let elapsed = try clock.measure { try walk(root, counts: &counts) }
        #expect(counts.files == 20_000 && counts.directories == 20)

        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let entries = counts.files + counts.directories
        print("FileSystem walk: \(entries) entries in \(Int(seconds * 1000)) ms = \(Int(Double(entries) / seconds)) entries/s")
    }

    private func walk(_ directory: borrowing Directory, counts: inout (files: Int, directories: Int)) throws {
        for name in try directory.entries() {
            let status = try directory.status(of: name)
            if status.kind == .directory {
                counts.directories += 1
                try walk(try Directory.open(at: directory, name: name), counts: &counts)
            } else {
                counts.files += 1
            }
        }
    }
}
