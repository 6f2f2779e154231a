import Backup
import FileIO
import Foundation
import Repository
import Testing

/// The archiver writes each directory's tree as soon as the directory is walked and its files are stored, so what it
/// holds at once follows the files in flight, not the size of the tree.
@Suite("The archiver's memory does not grow with the tree")
struct ArchiverMemoryTests {
    /// 20 directories of 60 directories of 10 small files each: 1,221 directories with the source, 12,000 files.
    static let tops = 20, middles = 60, filesPerDirectory = 10
    static let directories = 1 + tops + tops * middles
    static let files = tops * middles * filesPerDirectory

    static func makeTree(at source: String) throws {
        for top in 0..<tops {
            for middle in 0..<middles {
                let directory = "\(source)/t\(top)/m\(middle)"
                try FileIO.makeDirectories(directory)
                for file in 0..<filesPerDirectory {
                    // Plain writes: 12,000 files made atomically (a temporary file each, then a rename) take seconds.
                    let fd = open("\(directory)/f\(file)", O_WRONLY | O_CREAT | O_EXCL, 0o644)
                    try #require(fd >= 0)
                    let text = Array("file \(top)/\(middle)/\(file)\n".utf8)
                    #expect(write(fd, text, text.count) == text.count)
                    close(fd)
                }
            }
        }
    }

    /// The regular files and directories a point holds under `path`.
    static func count(under path: String, in point: StoredRecoveryPoint, _ repository: Repository) throws -> (files: Int, directories: Int, paths: Set<String>) {
        var files = 0, directories = 0
        var paths: Set<String> = []
        try TreeWalker(repository: repository).list(point, under: path) { entry in
            paths.insert(entry.path)
            if entry.node.kind == .regular { files += 1 }
            if entry.node.kind == .directory { directories += 1 }
        }
        return (files, directories, paths)
    }

    @Test("a backup holds a small part of the tree's directories and files at once, and writes the same trees as a walk on one thread")
    func holdsOnlyWhatIsInFlight() throws {
        let scratch = try Scratch()
        let source = scratch.sub("tree")
        try Self.makeTree(at: source)
        let repository = try scratch.makeRepository()
        let result = try Scratch.backup(repository, [source])
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        // Holding everything until the end, as the archiver once did, would be all 1,221 directories and 12,000
        // files. The walker holds the directories it is in, and those walked whose trees wait for their files: at
        // most `TreeQueue.filesLimit` files (4,096) before it waits, plus those of the directories it is in.
        #expect(result.peakPending.directories > 0 && result.peakPending.directories < Self.directories / 2,
                "\(result.peakPending)")
        #expect(result.peakPending.files > 0 && result.peakPending.files < Self.files / 2, "\(result.peakPending)")

        // The trees do not depend on when they were written: one worker and no listing ahead give the same ids.
        let serial = try Scratch.backup(repository, [source], time: "2026-11-24T13:00:00.000000000Z") {
            $0.threads = 1
            $0.walkThreads = 1
        }
        let tree = try OptimizedBackupPropertyTests.subtree(of: source, in: result.recoveryPoint, repository)
        let serialTree = try OptimizedBackupPropertyTests.subtree(of: source, in: serial.recoveryPoint, repository)
        #expect(tree != nil && tree == serialTree)
        let counted = try Self.count(under: source, in: result.recoveryPoint, repository)
        #expect(counted.files == Self.files && counted.directories == Self.directories)

        let target = scratch.sub("target")
        let restored = try Scratch.restore(try scratch.reopen(), result.recoveryPoint, to: target)
        #expect(restored.warnings.isEmpty, "\(restored.warnings)")
        var differing: [String] = []
        for path in counted.paths where path.hasPrefix(source + "/t") && path.split(separator: "/").last!.hasPrefix("f") {
            if try contents(of: target + path) != contents(of: path) { differing.append(path) }
        }
        #expect(differing.isEmpty, "\(differing.prefix(5))")
    }

    /// Root reads any file, but not a write-only sysctl: the walker lists it and the worker cannot open it.
    static let unreadable = "/proc/sys/vm/compact_memory"
    static var unreadableExists: Bool {
        let fd = open(unreadable, O_RDONLY)
        if fd >= 0 { close(fd) }
        return access(unreadable, F_OK) == 0 && fd < 0
    }

    @Test("a file that cannot be read in a directory whose tree is written before the walk ends is warned about and left out",
          .enabled(if: unreadableExists))
    func failedFileInEarlyTree() throws {
        let unreadable = Self.unreadable
        let scratch = try Scratch()
        let source = scratch.sub("tree")
        try Self.makeTree(at: source)
        let repository = try scratch.makeRepository()
        // /proc/sys/vm sorts first: its tree is written while the big tree is being walked.
        let result = try Scratch.backup(repository, ["/proc/sys/vm", source])
        #expect(result.warnings.contains { $0.path == unreadable && $0.message.hasPrefix("not backed up") }, "\(result.warnings)")
        #expect(result.peakPending.directories < Self.directories / 2, "\(result.peakPending)")
        let point = result.recoveryPoint
        let vm = try Self.count(under: "/proc/sys/vm", in: point, repository)
        #expect(!vm.paths.contains(unreadable) && vm.paths.contains("/proc/sys/vm/swappiness"))
        let tree = try Self.count(under: source, in: point, repository)
        #expect(tree.files == Self.files)
        // The summary counts the files the point holds: the ones that failed are taken off again.
        #expect(point.point.summary.files == vm.files + tree.files)
    }
}
