import FileIO
import Foundation
import ObjectStore
import ObjectStoreTesting
import Testing

@Suite("FilesystemStore")
struct FilesystemStoreTests {
    @Test("create lays out every kind directory, 256 data prefixes and tmp, with private permissions")
    func createMakesLayout() throws {
        let scratch = try ScratchDirectory()
        let root = scratch.path + "/new/repo"
        _ = try FilesystemStore.create(root: root, hasher: ReferenceSHA256.hex)
        #expect(Set(try FileIO.listDirectory(root)) == ["keys", "data", "index", "recovery-points", "locks", "tmp"])
        let prefixes = try FileIO.listDirectory(root + "/data")
        #expect(prefixes.count == 256)
        #expect(Set(prefixes) == Set((0..<256).map { String(format: "%02x", $0) }))
        var raw = stat()
        #expect(stat(root, &raw) == 0 && raw.st_mode & 0o777 == 0o700)
    }

    @Test("objects land at kind/name, data under its two-hex prefix, as private files")
    func objectPaths() throws {
        let scratch = try ScratchDirectory()
        let store = try FilesystemStore.create(root: scratch.path, hasher: ReferenceSHA256.hex)
        let bytes = Array("pack".utf8)
        let data = try dataKey(bytes)
        try store.put(data, bytes)
        let index = try ObjectKey(.recoveryPoints, ReferenceSHA256.hex(bytes))
        try store.put(index, bytes)
        try store.put(.config, [1])
        #expect(store.path(for: data) == "\(scratch.path)/data/\(data.name.prefix(2))/\(data.name)")
        #expect(try FileIO.readFile(store.path(for: data)) == bytes)
        #expect(try FileIO.readFile("\(scratch.path)/recovery-points/\(index.name)") == bytes)
        #expect(try FileIO.readFile(scratch.path + "/config") == [1])
        var raw = stat()
        #expect(stat(store.path(for: data), &raw) == 0 && raw.st_mode & 0o777 == 0o600)
        #expect(try FileIO.listDirectory(scratch.path + "/tmp") == [])
    }

    @Test("create refuses a directory that already holds a repository")
    func createRefusesExistingRepository() throws {
        let scratch = try ScratchDirectory()
        let store = try FilesystemStore.create(root: scratch.path, hasher: ReferenceSHA256.hex)
        try store.put(.config, Array("{}".utf8))
        let error = expectStoreError(.alreadyExists) {
            _ = try FilesystemStore.create(root: scratch.path + "/", hasher: ReferenceSHA256.hex)
        }
        #expect(error?.message.contains("already holds a repository") == true)
        #expect(try store.get(.config) == Array("{}".utf8))
    }

    @Test("opening a missing directory says there is no repository there")
    func openMissing() throws {
        let scratch = try ScratchDirectory()
        let error = expectStoreError(.notFound) {
            _ = try FilesystemStore(root: scratch.path + "/absent", hasher: ReferenceSHA256.hex)
        }
        #expect(error?.message == "no repository at \(scratch.path)/absent: the directory does not exist; "
            + "check the path, or create a repository there first")
    }

    @Test("opening a directory with an incomplete layout names what is missing")
    func openIncomplete() throws {
        let scratch = try ScratchDirectory()
        let empty = expectStoreError(.unavailable) { _ = try FilesystemStore(root: scratch.path, hasher: ReferenceSHA256.hex) }
        #expect(empty?.message.contains("\(scratch.path)/keys is missing") == true)
        _ = try FilesystemStore.create(root: scratch.path, hasher: ReferenceSHA256.hex)
        try FileIO.removeTree(scratch.path + "/data/7f")
        let partial = expectStoreError(.unavailable) { _ = try FilesystemStore(root: scratch.path, hasher: ReferenceSHA256.hex) }
        #expect(partial?.message.contains("\(scratch.path)/data/7f is missing") == true)
        try FileIO.writeFileAtomically(scratch.path + "/file", [1])
        let file = expectStoreError(.unavailable) { _ = try FilesystemStore(root: scratch.path + "/file", hasher: ReferenceSHA256.hex) }
        #expect(file?.message == "no repository at \(scratch.path)/file: it is not a directory; check the path")
    }

    @Test("temporary and foreign files are never listed")
    func strayFilesAreNotListed() throws {
        let scratch = try ScratchDirectory()
        let store = try FilesystemStore.create(root: scratch.path, hasher: ReferenceSHA256.hex)
        let bytes = Array("real".utf8)
        let real = try dataKey(bytes)
        try store.put(real, bytes)
        let misplaced = try dataKey(Array("elsewhere".utf8))
        let wrongPrefix = misplaced.name.hasPrefix("00") ? "01" : "00"
        try FileIO.writeFileAtomically("\(scratch.path)/data/\(wrongPrefix)/\(misplaced.name)", [1])
        try FileIO.writeFileAtomically("\(scratch.path)/data/\(real.name.prefix(2))/.tmp-123", [1])
        try FileIO.writeFileAtomically("\(scratch.path)/index/\(real.name.uppercased())", [1])
        try FileIO.writeFileAtomically("\(scratch.path)/index/notes.txt", [1])
        try FileIO.writeFileAtomically("\(scratch.path)/tmp/\(real.name)", [1])
        #expect(try store.list(.data) == [ObjectInfo(key: real, size: bytes.count)])
        #expect(try store.list(.index) == [])
        #expect(try store.list(.config) == [])
    }

    @Test("temporary files older than an hour are removed on open, younger ones are kept")
    func staleTemporaryFilesRemoved() throws {
        let scratch = try ScratchDirectory()
        _ = try FilesystemStore.create(root: scratch.path, hasher: ReferenceSHA256.hex)
        let old = try FileIO.writeTemporaryFile(in: scratch.path + "/tmp", [1])
        let now = FilesystemStore.systemTime()
        _ = try FilesystemStore(root: scratch.path, hasher: ReferenceSHA256.hex, now: { now + 3000 })
        #expect(FileIO.exists(old))
        _ = try FilesystemStore(root: scratch.path, hasher: ReferenceSHA256.hex, now: { now + 3700 })
        #expect(!FileIO.exists(old))
    }

    @Test("the injected hasher decides what counts as a matching name")
    func usesInjectedHasher() throws {
        let scratch = try ScratchDirectory()
        let fixed = String(repeating: "ab", count: 32)
        let store = try FilesystemStore.create(root: scratch.path, hasher: { _ in fixed })
        try store.put(try ObjectKey(.index, fixed), [1, 2, 3])
        #expect(try store.get(try ObjectKey(.index, fixed)) == [1, 2, 3])
        expectStoreError(.hashMismatch) { try store.put(try ObjectKey(.index, ReferenceSHA256.hex([1, 2, 3])), [1, 2, 3]) }
    }
}
