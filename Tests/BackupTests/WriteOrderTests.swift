import Backup
import FileIO
import ObjectStore
import ObjectStoreTesting
import Repository
import Testing

@Suite("Write ordering and store faults during a backup")
struct WriteOrderTests {
    /// A repository in memory behind a fault-injecting wrapper, and a source tree with enough data for several packs.
    private func prepare(_ scratch: Scratch, faults: [FaultInjectingStore.Fault] = []) throws -> (FaultInjectingStore, Repository, String) {
        let store = FaultInjectingStore(wrapping: MemoryStore(hasher: Scratch.hasher), faults: faults)
        let config = RepositoryConfig(id: String(repeating: "ab", count: 32), packSize: 1 << 16)
        let repository = try Repository.create(store: store, passphrase: Scratch.passphrase, config: config, cost: .testing,
                                               identity: Scratch.identity())
        let source = scratch.sub("source")
        try FileIO.makeDirectories(source)
        for i in 0..<40 {
            try TreeFixture.write(source + "/file-\(i)", (0..<20_000).map { _ in UInt8.random(in: 0...255) })
        }
        return (store, repository, source)
    }

    @Test("packs are stored before the index that names them, and the index before the recovery point")
    func ordering() throws {
        let scratch = try Scratch()
        let (store, repository, source) = try prepare(scratch)
        _ = try Scratch.backup(repository, [source])
        let puts = store.log.filter { $0.operation == .put && $0.outcome == .succeeded }.map(\.kind)
        let firstIndex = try #require(puts.firstIndex(of: .index))
        let lastPack = try #require(puts.lastIndex(of: .data))
        let point = try #require(puts.firstIndex(of: .recoveryPoints))
        #expect(puts.filter { $0 == .data }.count >= 10)
        #expect(lastPack < point)
        #expect(puts.lastIndex(of: .index)! < point)
        #expect(firstIndex > puts.firstIndex(of: .data)!)
    }

    @Test("a failing pack upload fails the backup with the store's reason, stores no recovery point, and leaves no staged file")
    func failedUpload() throws {
        let scratch = try Scratch()
        let (store, repository, source) = try prepare(scratch, faults: [.failNthPut(4)])
        let staging = scratch.sub("staging")
        try FileIO.makeDirectories(staging)
        let options = BackupOptions(paths: [source], identity: Scratch.identity(), threads: 2)
        let error = #expect(throws: RepositoryError.self) {
            _ = try Archiver(repository: repository, options: options, stagingDirectory: staging).run()
        }
        #expect(error?.code == .storage)
        #expect(try store.inner.list(.recoveryPoints).isEmpty)
        #expect(try FileIO.listDirectory(staging).isEmpty)
        // What did get stored is valid: the next backup succeeds and reuses it.
        store.removeAllFaults()
        let next = try Archiver(repository: try Repository.open(store: store, passphrase: Scratch.passphrase), options: options,
                                stagingDirectory: staging).run()
        #expect(next.recoveryPoint.point.summary.files == 40)
    }
}
