import Backup
import FileIO
import Glibc
import Repository
import Testing

@Suite("Restore onto existing files: create a copy, overwrite, or skip")
struct RestoreConflictTests {
    /// Backs up a folder with one file, then changes the file, so a restore meets an existing, different file.
    private func prepare() throws -> (Scratch, Repository, StoredRecoveryPoint, String) {
        let scratch = try Scratch()
        let source = scratch.sub("source")
        try FileIO.makeDirectories(source + "/folder")
        try TreeFixture.write(source + "/folder/report.txt", Array("backed up".utf8))
        let repository = try scratch.makeRepository()
        let point = try Scratch.backup(repository, [source]).recoveryPoint
        try TreeFixture.write(source + "/folder/report.txt", Array("edited since".utf8))
        return (scratch, repository, point, source)
    }

    @Test("copy keeps the existing file and restores beside it as 'YYYY-MM-DD HH-MM Copy of NAME'")
    func copy() throws {
        let (scratch, repository, point, source) = try prepare()
        _ = scratch
        let result = try Scratch.restore(repository, point, to: "/") { $0.conflict = .copy; $0.includes = [source + "/folder"] }
        #expect(try FileIO.readFile(source + "/folder/report.txt") == Array("edited since".utf8))
        #expect(try FileIO.readFile(source + "/folder/2026-11-24 12-00 Copy of report.txt") == Array("backed up".utf8))
        #expect(result.copies.count == 1)
        // A second restore finds the copy taken and numbers the next one.
        _ = try Scratch.restore(repository, point, to: "/") { $0.conflict = .copy; $0.includes = [source + "/folder"] }
        #expect(try FileIO.readFile(source + "/folder/2026-11-24 12-00 Copy of report.txt (2)") == Array("backed up".utf8))
    }

    @Test("overwrite replaces the existing file")
    func overwrite() throws {
        let (scratch, repository, point, source) = try prepare()
        _ = scratch
        _ = try Scratch.restore(repository, point, to: "/") { $0.conflict = .overwrite; $0.includes = [source] }
        #expect(try FileIO.readFile(source + "/folder/report.txt") == Array("backed up".utf8))
        #expect(try FileIO.listDirectory(source + "/folder") == ["report.txt"])
    }

    @Test("skip keeps the existing file and restores nothing over it")
    func skip() throws {
        let (scratch, repository, point, source) = try prepare()
        _ = scratch
        let result = try Scratch.restore(repository, point, to: "/") { $0.conflict = .skip; $0.includes = [source] }
        #expect(try FileIO.readFile(source + "/folder/report.txt") == Array("edited since".utf8))
        #expect(result.skipped == 1)
        #expect(try FileIO.listDirectory(source + "/folder") == ["report.txt"])
    }

    @Test("include restores only the chosen path and the directories leading to it")
    func includeOnly() throws {
        let scratch = try Scratch()
        let source = scratch.sub("source")
        try FileIO.makeDirectories(source + "/a")
        try FileIO.makeDirectories(source + "/b")
        try TreeFixture.write(source + "/a/one", [1])
        try TreeFixture.write(source + "/b/two", [2])
        let repository = try scratch.makeRepository()
        let point = try Scratch.backup(repository, [source]).recoveryPoint
        let target = scratch.sub("target")
        _ = try Scratch.restore(repository, point, to: target) { $0.includes = [source + "/b"] }
        #expect(try FileIO.listDirectory(target + source).sorted() == ["b"])
        #expect(try FileIO.readFile(target + source + "/b/two") == [2])
    }

    @Test("without permissions, files get default modes and the restoring user's ownership")
    func noPermissions() throws {
        let scratch = try Scratch()
        let source = scratch.sub("source")
        try FileIO.makeDirectories(source)
        try TreeFixture.write(source + "/secret", [1])
        chmod(source + "/secret", 0o4700)
        chown(source + "/secret", 4321, 4321)
        let repository = try scratch.makeRepository()
        let point = try Scratch.backup(repository, [source]).recoveryPoint
        let target = scratch.sub("target")
        _ = try Scratch.restore(repository, point, to: target) { $0.restorePermissions = false }
        var status = stat()
        stat(target + source + "/secret", &status)
        #expect(status.st_mode & 0o7777 == 0o666 & ~0o022)
        #expect(status.st_uid == geteuid())
    }
}
