import Backup
import FileIO
import Glibc
import Repository
import Testing

@Suite("Sources read from elsewhere than where they are recorded (snapshots, gathered folders)")
struct ReadFromTests {
    @Test("a source read from another folder is recorded under its own path, with the other folder's content and metadata")
    func recordsUnderTheSourcePath() throws {
        let scratch = try Scratch()
        let live = scratch.sub("live")
        let frozen = try scratch.fixtureSource()
        try FileIO.makeDirectories(live)
        try TreeFixture.write(live + "/only-live.txt", Array("live".utf8))
        let repository = try scratch.makeRepository()
        let result = try Scratch.backup(repository, [live]) { $0.readFrom = [live: frozen] }
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        #expect(result.recoveryPoint.point.paths == [live])

        var paths: [String] = []
        try TreeWalker(repository: repository).list(result.recoveryPoint) { paths.append($0.path) }
        #expect(paths.contains(live + "/docs/file-5.txt"))
        #expect(!paths.contains(live + "/only-live.txt"))
        #expect(!paths.contains { $0.hasPrefix(frozen) })

        // Restored, the recorded path holds exactly what was read.
        let target = scratch.sub("target")
        let restored = try Scratch.restore(repository, result.recoveryPoint, to: target)
        #expect(restored.warnings.isEmpty, "\(restored.warnings)")
        let differences = TreeFixture.differences(frozen, target + live)
        #expect(differences.isEmpty, "\(differences)")
    }

    @Test("excludes speak of the recorded path, and an incremental backup compares with the folder read")
    func excludesAndIncremental() throws {
        let scratch = try Scratch()
        let live = scratch.sub("live")
        let frozen = try scratch.fixtureSource()
        try FileIO.makeDirectories(live)
        let repository = try scratch.makeRepository()
        let first = try Scratch.backup(repository, [live]) {
            $0.readFrom = [live: frozen]
            $0.excludes = [live + "/docs/file-6.txt", frozen + "/docs/file-7.txt"]
        }
        var paths: [String] = []
        try TreeWalker(repository: repository).list(first.recoveryPoint) { paths.append($0.path) }
        #expect(!paths.contains(live + "/docs/file-6.txt"))
        #expect(paths.contains(live + "/docs/file-7.txt"))

        let second = try Scratch.backup(repository, [live], parent: first.recoveryPoint, time: "2026-11-24T13:00:00.000000000Z") {
            $0.readFrom = [live: frozen]
            $0.excludes = [live + "/docs/file-6.txt", frozen + "/docs/file-7.txt"]
        }
        #expect(second.recoveryPoint.point.summary.filesUnchanged == first.recoveryPoint.point.summary.files)
        #expect(second.recoveryPoint.point.summary.filesNew == 0)
    }

    @Test("a single file can be read from another file")
    func singleFile() throws {
        let scratch = try Scratch()
        let live = scratch.sub("live.conf"), frozen = scratch.sub("frozen.conf")
        try TreeFixture.write(live, Array("now".utf8))
        try TreeFixture.write(frozen, Array("then".utf8))
        let repository = try scratch.makeRepository()
        let result = try Scratch.backup(repository, [live]) { $0.readFrom = [live: frozen] }
        let target = scratch.sub("target")
        _ = try Scratch.restore(repository, result.recoveryPoint, to: target)
        #expect(try FileIO.readFile(target + live) == Array("then".utf8))
    }

    @Test("reading a path that is not a source is refused")
    func unknownSourceRefused() throws {
        let scratch = try Scratch()
        let source = try scratch.fixtureSource()
        let repository = try scratch.makeRepository()
        #expect(throws: RepositoryError.self) {
            _ = try Scratch.backup(repository, [source]) { $0.readFrom = [scratch.sub("elsewhere"): source] }
        }
    }
}
