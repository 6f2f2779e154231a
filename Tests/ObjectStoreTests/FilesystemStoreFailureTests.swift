import FileIO
import Foundation
import ObjectStore
import ObjectStoreTesting
import Testing

@Suite("FilesystemStore on failing disks")
struct FilesystemStoreFailureTests {
    @Test("a full disk gives noSpace saying the repository's disk is full, and leaves no temp file")
    func fullDisk() throws {
        guard let disk = try SmallFilesystem.mount(sizeKiB: 1024) else { return }
        let store = try FilesystemStore.create(root: disk.path + "/repo", hasher: ReferenceSHA256.hex)
        let big = [UInt8](repeating: 0x42, count: 2 << 20)
        let key = try dataKey(big)
        let error = expectStoreError(.noSpace) { try store.put(key, big) }
        #expect(error?.key == key)
        #expect(error?.message.hasPrefix("the disk holding the repository at \(disk.path)/repo is full") == true)
        #expect(try FileIO.listDirectory(disk.path + "/repo/tmp") == [])
        expectStoreError(.notFound) { _ = try store.get(key) }
        #expect(try store.list(.data) == [])
        // The failed write gave its space back: an object that fits is stored.
        let small = [UInt8](repeating: 0x43, count: 256 << 10)
        try store.put(try dataKey(small), small)
        #expect(try store.get(try dataKey(small)) == small)
    }

    @Test("a read-only disk gives permissionDenied and says what to check")
    func readOnlyDisk() throws {
        guard let disk = try SmallFilesystem.mount(sizeKiB: 256) else { return }
        let store = try FilesystemStore.create(root: disk.path + "/repo", hasher: ReferenceSHA256.hex)
        let stored = Array("before".utf8)
        try store.put(try dataKey(stored), stored)
        try #require(disk.makeReadOnly(), "could not remount the tmpfs read-only")
        let bytes = Array("after".utf8)
        let error = expectStoreError(.permissionDenied) { try store.put(try dataKey(bytes), bytes) }
        #expect(error?.message.contains("mounted read-only") == true)
        expectStoreError(.permissionDenied) { try store.delete(try dataKey(stored)) }
        #expect(try store.get(try dataKey(stored)) == stored)
    }

    @Test("get does not re-hash: a flipped byte on disk is returned as is and caught by a reader who re-hashes")
    func flippedByteIsCaughtByRehashing() throws {
        let scratch = try ScratchDirectory()
        let store = try FilesystemStore.create(root: scratch.path, hasher: ReferenceSHA256.hex)
        let bytes = (0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let key = try dataKey(bytes)
        try store.put(key, bytes)

        let path = store.path(for: key)
        var damaged = try FileIO.readFile(path)
        damaged[1000] ^= 0x10
        chmod(path, 0o600)
        try FileIO.writeFileAtomically(path, damaged)

        let read = try store.get(key)
        #expect(read == damaged)
        #expect(ReferenceSHA256.hex(read) != key.name, "a check that re-hashes must notice the damage")
        // Write-once: putting the good bytes again does not repair the damaged object; a check must report it.
        try store.put(key, bytes)
        #expect(try store.get(key) == damaged)
    }

    @Test("a put racing with an existing identical object neither fails nor leaves temp files")
    func existingObjectLeavesNoTemp() throws {
        let scratch = try ScratchDirectory()
        let store = try FilesystemStore.create(root: scratch.path, hasher: ReferenceSHA256.hex)
        let bytes = [UInt8](repeating: 9, count: 100_000)
        let key = try dataKey(bytes)
        let failures = FailureCollector()
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            do { try store.put(key, bytes) } catch { failures.add("\(error)") }
        }
        #expect(failures.all.isEmpty)
        #expect(try FileIO.listDirectory(scratch.path + "/tmp") == [])
        #expect(try store.list(.data) == [ObjectInfo(key: key, size: bytes.count)])
    }
}

/// Errors gathered from concurrent closures; the lock makes sharing it safe.
final class FailureCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []

    func add(_ item: String) { lock.withLock { items.append(item) } }
    var all: [String] { lock.withLock { items } }
}
