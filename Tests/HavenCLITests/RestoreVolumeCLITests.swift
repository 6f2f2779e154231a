/// `haven restore --volume`: a point of one backed-up path restored with that path's root at the target, and the
/// target/--original choice validated before anything runs.
import FileIO
import Foundation
import Testing

@Suite("haven restore --volume", .serialized)
struct RestoreVolumeCLITests {
    @Test("--volume puts the point's one path at the target; --target and --original are one choice")
    func volumeRestore() throws {
        let temp = try TempDir()
        let source = temp.sub("volume")
        try makeTree(at: source, files: 6)
        let cli = CLI(repository: temp.sub("repo"))
        #expect(try cli.run(["repo", "init"]).status == 0)
        #expect(try cli.run(["backup", source]).status == 0)

        let target = temp.sub("fresh")
        let restored = try cli.run(["restore", "latest", "--volume", "--target", target])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(try FileIO.readFile(target + "/dir-5/file-5.txt") == FileIO.readFile(source + "/dir-5/file-5.txt"))
        #expect(!FileIO.exists(target + source), "the path's root is the target, not a folder under it")

        let neither = try cli.run(["restore", "latest"])
        #expect(neither.status != 0 && neither.stderr.contains("--target DIR or --original"), "\(neither.stderr)")
        let both = try cli.run(["restore", "latest", "--original", "--target", target])
        #expect(both.status != 0 && both.stderr.contains("--target DIR or --original"), "\(both.stderr)")
        let offline = try cli.run(["restore", "latest", "--original"])
        #expect(offline.status != 0 && offline.stderr.contains("through the agent"), "\(offline.stderr)")

        try makeTree(at: temp.sub("other"), files: 1)
        #expect(try cli.run(["backup", source, temp.sub("other")]).status == 0)
        let two = try cli.run(["restore", "latest", "--volume", "--target", temp.sub("two")])
        #expect(two.status != 0 && two.stderr.contains("holds 2 paths"), "\(two.stderr)")
    }
}
