import Crypto
import FileIO
import Foundation
import ObjectStore
import Repository
import Testing

@Suite("Repository: keys, blobs, recovery points")
struct RepositoryTests {
    @Test("the right passphrase opens the repository; a wrong one is refused as such")
    func passphrase() throws {
        let temp = try TemporaryRepository()
        _ = try temp.reopen()
        let error = #expect(throws: RepositoryError.self) {
            try Repository.open(store: temp.store, passphrase: Array("not the passphrase".utf8))
        }
        #expect(error?.code == .wrongPassphrase)
    }

    @Test("a second key slot opens the same data, and replacing slots retires the old passphrase")
    func keySlots() throws {
        let temp = try TemporaryRepository()
        let point = try temp.commit([Array("hello".utf8)])
        let second = Array("another passphrase entirely".utf8)
        try temp.repository.addKeySlot(passphrase: second, cost: .testing, identity: TemporaryRepository.identity)
        let viaSecond = try Repository.open(store: temp.store, passphrase: second)
        #expect(try viaSecond.recoveryPoints().map(\.id) == [point.id])
        let removed = try temp.repository.replaceKeySlots(unlockedBy: TemporaryRepository.passphrase, with: Array("the third passphrase".utf8),
                                                          cost: .testing, identity: TemporaryRepository.identity)
        #expect(removed == 1)
        #expect(throws: RepositoryError.self) { try temp.reopen() }
        _ = try Repository.open(store: temp.store, passphrase: second)
        _ = try Repository.open(store: temp.store, passphrase: Array("the third passphrase".utf8))
    }

    @Test("creating a repository where one exists is refused")
    func createTwice() throws {
        let temp = try TemporaryRepository()
        let error = #expect(throws: RepositoryError.self) {
            try Repository.create(store: temp.store, passphrase: TemporaryRepository.passphrase, cost: .testing,
                                  identity: TemporaryRepository.identity)
        }
        #expect(error?.code == .alreadyExists)
    }

    @Test("blobs round trip through packs and the index, and identical blobs are stored once")
    func blobsRoundTrip() throws {
        let temp = try TemporaryRepository()
        let chunks = [TemporaryRepository.randomBytes(100_000), Array(repeating: 65, count: 300_000), [], TemporaryRepository.randomBytes(10)]
        try temp.commit(chunks + chunks)
        let reopened = try temp.reopen()
        #expect(reopened.index.blobCount == chunks.count + 1)
        let reader = reopened.makeBlobReader()
        let point = try reopened.resolveRecoveryPoint("latest")
        let tree = try reader.loadTree(point.point.treeID!)
        let loaded = try tree.nodes[0].content.map { try reader.load($0) }
        #expect(loaded == chunks + chunks)
    }

    @Test("recovery points resolve by 'latest', by full id and by unique prefix; unknown and ambiguous refs are refused")
    func resolve() throws {
        let temp = try TemporaryRepository()
        let a = try temp.commit([[1]], time: "2026-11-24T10:00:00Z")
        let b = try temp.commit([[2]], time: "2026-11-24T11:00:00Z")
        #expect(try temp.repository.resolveRecoveryPoint("latest").id == b.id)
        #expect(try temp.repository.resolveRecoveryPoint(a.id).id == a.id)
        #expect(try temp.repository.resolveRecoveryPoint(String(a.id.prefix(10))).id == a.id)
        #expect(throws: RepositoryError.self) { try temp.repository.resolveRecoveryPoint("zz") }
        #expect(throws: RepositoryError.self) { try temp.repository.resolveRecoveryPoint("") }
        let nowhere = a.id.hasPrefix("0") ? "1" : "0"
        #expect(throws: RepositoryError.self) { try temp.repository.resolveRecoveryPoint(nowhere + String(repeating: "f", count: 63)) }
    }

    @Test("a flipped bit in a pack is caught when the blob is read, naming the blob")
    func tamperedPackIsCaught() throws {
        let temp = try TemporaryRepository()
        try temp.commit([TemporaryRepository.randomBytes(5000)])
        let pack = try temp.store.list(.data)[0]
        let path = temp.store.path(for: pack.key)
        var bytes = try FileIO.readFile(path)
        bytes[100] ^= 0x01
        try FileIO.writeFileAtomically(path, bytes)
        let reopened = try temp.reopen()
        let reader = reopened.makeBlobReader()
        // The data blob comes first in the pack, so byte 100 is inside it; the tree after it is intact.
        let tree = try reader.loadTree(try reopened.resolveRecoveryPoint("latest").point.treeID!)
        let error = #expect(throws: RepositoryError.self) { try reader.load(tree.nodes[0].content[0]) }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains(tree.nodes[0].content[0].description) == true)
    }

    @Test("packs stored by an interrupted backup are adopted and reused by the next one")
    func adoptsUnindexedPacks() throws {
        let temp = try TemporaryRepository()
        let chunk = TemporaryRepository.randomBytes(50_000)
        let writer = try RepositoryWriter(repository: temp.repository)
        let blobs = try writer.makeBlobWriter()
        try blobs.save(chunk, type: .data)
        try blobs.flush()
        try writer.waitForUploads()
        // The pack is stored, but no index and no recovery point: as if the process died here.
        #expect(try temp.store.list(.index).isEmpty)
        let reopened = try temp.reopen()
        let next = try RepositoryWriter(repository: reopened)
        let nextBlobs = try next.makeBlobWriter()
        try nextBlobs.save(chunk, type: .data)
        try nextBlobs.flush()
        try next.finish()
        #expect(next.statistics.blobsAdded == 0)
        #expect(try temp.store.list(.data).count == 1)
        #expect(try temp.reopen().index.blobCount == 1)
    }
}
