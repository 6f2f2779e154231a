import FileIO
import Foundation
import Testing

@Suite("Directories")
struct DirectoryTests {
    @Test("makeDirectories creates every missing level and accepts existing directories")
    func makesNestedDirectories() throws {
        let scratch = try ScratchDirectory()
        try FileIO.makeDirectories(scratch.file("a/b/c"), mode: 0o700)
        try FileIO.makeDirectories(scratch.file("a/b/c"))
        try FileIO.makeDirectories(scratch.file("a//b/d/"))
        #expect(FileIO.isDirectory(scratch.file("a/b/c")))
        #expect(FileIO.isDirectory(scratch.file("a/b/d")))
        #expect(Set(try FileIO.listDirectory(scratch.file("a/b"))) == ["c", "d"])
    }

    @Test("makeDirectories through a file fails with ENOTDIR")
    func refusesFiles() throws {
        let scratch = try ScratchDirectory()
        try FileIO.writeFileAtomically(scratch.file("f"), [1])
        expectSystemError(ENOTDIR) { try FileIO.makeDirectories(scratch.file("f")) }
        expectSystemError(ENOTDIR) { try FileIO.makeDirectories(scratch.file("f/g")) }
    }

    @Test("listDirectory returns every name except . and ..")
    func listsNames() throws {
        let scratch = try ScratchDirectory()
        #expect(try FileIO.listDirectory(scratch.path) == [])
        let names = (0..<300).map { "n\($0)" } + [".hidden", "with space"]
        for name in names { try FileIO.writeFileAtomically(scratch.file(name), [], durable: false) }
        try FileIO.makeDirectories(scratch.file("dir"))
        #expect(Set(try FileIO.listDirectory(scratch.path)) == Set(names + ["dir"]))
        #expect(try FileIO.listDirectory(scratch.path).count == names.count + 1)
        expectSystemError(ENOENT) { _ = try FileIO.listDirectory(scratch.file("missing")) }
        expectSystemError(ENOTDIR) { _ = try FileIO.listDirectory(scratch.file("n1")) }
    }

    @Test("removeTree removes a nested tree and treats a missing path as done")
    func removesTrees() throws {
        let scratch = try ScratchDirectory()
        try FileIO.makeDirectories(scratch.file("tree/a/b/c"))
        try FileIO.makeDirectories(scratch.file("tree/empty"))
        try FileIO.writeFileAtomically(scratch.file("tree/a/f"), [1])
        try FileIO.writeFileAtomically(scratch.file("tree/a/b/c/g"), [2])
        #expect(symlink("/nonexistent", scratch.file("tree/a/dangling")) == 0)
        try FileIO.removeTree(scratch.file("tree/"))
        #expect(!FileIO.exists(scratch.file("tree")))
        try FileIO.removeTree(scratch.file("tree"))
        try FileIO.writeFileAtomically(scratch.file("single"), [3])
        try FileIO.removeTree(scratch.file("single"))
        #expect(try FileIO.listDirectory(scratch.path) == [])
    }

    @Test("removeTree removes symbolic links but never what they point to")
    func doesNotFollowLinks() throws {
        let scratch = try ScratchDirectory()
        try FileIO.makeDirectories(scratch.file("outside/deep"))
        try FileIO.writeFileAtomically(scratch.file("outside/precious"), [42])
        try FileIO.writeFileAtomically(scratch.file("outside/deep/also"), [43])
        try FileIO.makeDirectories(scratch.file("tree/sub"))
        #expect(symlink(scratch.file("outside"), scratch.file("tree/sub/to-outside")) == 0)
        #expect(symlink(scratch.file("outside/precious"), scratch.file("tree/to-file")) == 0)
        #expect(symlink(scratch.file("outside"), scratch.file("link-to-outside")) == 0)

        try FileIO.removeTree(scratch.file("tree"))
        try FileIO.removeTree(scratch.file("link-to-outside"))

        #expect(!FileIO.exists(scratch.file("tree")))
        #expect(!FileIO.exists(scratch.file("link-to-outside")))
        #expect(try FileIO.readFile(scratch.file("outside/precious")) == [42])
        #expect(try FileIO.readFile(scratch.file("outside/deep/also")) == [43])
    }

    @Test("removeTree refuses . and .. and names the directory it could not open")
    func refusesDotNames() throws {
        let scratch = try ScratchDirectory()
        expectSystemError(EINVAL) { try FileIO.removeTree(scratch.path + "/..") }
        expectSystemError(EINVAL) { try FileIO.removeTree(scratch.path + "/.") }
        #expect(FileIO.isDirectory(scratch.path))
        let error = expectSystemError(ENOENT) { try FileIO.removeTree(scratch.file("no-parent/child")) }
        #expect(error?.path == scratch.file("no-parent"))
    }
}
