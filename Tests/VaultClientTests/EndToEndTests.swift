import Backup
import FileIO
import Foundation
import ObjectStore
import Repository
import Testing
import VaultClient

@Suite("The engine over the vault, end to end on loopback", .serialized)
struct EndToEndTests {
    static let passphrase = Array("the first machine's passphrase".utf8)

    final class Scratch {
        let path = NSTemporaryDirectory() + "vault-e2e-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        init() throws { try FileIO.makeDirectories(path) }
        deinit { try? FileIO.removeTree(path) }
        func sub(_ name: String) -> String { path + "/" + name }
    }

    /// 60 small files in 6 directories and two 2 MB files of random bytes.
    static func makeTree(at root: String) throws {
        for index in 0..<60 {
            let directory = root + "/dir-\(index % 6)"
            try FileIO.makeDirectories(directory)
            try FileIO.writeFileAtomically(directory + "/file-\(index).txt", Array("file \(index) ".utf8) + (0..<(index * 97)).map { UInt8($0 % 251) },
                                           durable: false)
        }
        for index in 0..<2 {
            try FileIO.writeFileAtomically(root + "/big-\(index).bin", (0..<2_000_000).map { _ in UInt8.random(in: 0...255) }, durable: false)
        }
    }

    /// Every regular file under `source` has the same bytes under `target + source`, and nothing is missing.
    static func expectSameFiles(_ source: String, restoredUnder target: String) throws {
        let files = FileManager.default.enumerator(atPath: source)!.compactMap { $0 as? String }
            .filter { !FileIO.isDirectory(source + "/" + $0) }
        #expect(files.count == 62)
        for file in files {
            #expect(try FileIO.readFile(target + source + "/" + file) == FileIO.readFile(source + "/" + file), "\(file)")
        }
    }

    static func backup(_ repository: Repository, _ source: String, parent: StoredRecoveryPoint? = nil, time: String,
                       retainUntil: String? = nil) throws -> BackupResult {
        var options = BackupOptions(paths: [source], identity: WriterIdentity(time: time, hostname: "web-01", username: "root"), threads: 2)
        options.parent = parent
        options.retainUntil = retainUntil
        options.item = BackupItem(kind: "files", name: "Files and folders")
        return try Archiver(repository: repository, options: options).run()
    }

    static func restore(_ repository: Repository, _ point: StoredRecoveryPoint, to target: String) throws {
        _ = try Restorer(repository: repository, point: point, options: RestoreOptions(target: target, copyStamp: "2026-11-24 12-00", threads: 2)).run()
    }

    @Test("register, back up into the vault, list, restore identically; an unchanged backup uploads almost nothing; another machine restores")
    func wholeStory() throws {
        let vault = try LoopbackVault()
        let scratch = try Scratch()
        let source = scratch.sub("source")
        try Self.makeTree(at: source)
        try vault.register("web-01").save(inStateDirectory: scratch.sub("state"))
        let credential = try MachineCredential.load(fromStateDirectory: scratch.sub("state"))

        let firstSession = vault.session(credential)
        let store = firstSession.objectStore()
        let repository = try Repository.create(store: store, passphrase: Self.passphrase, cost: .testing,
                                               identity: WriterIdentity(time: "2026-11-24T12:00:00Z", hostname: "web-01", username: "root"))
        let first = try Self.backup(repository, source, time: "2026-11-24T12:00:00.000000000Z")
        try store.close()
        let firstSent = firstSession.connection.statistics.bytesSent

        let listed = try firstSession.recoveryPoints()
        #expect(listed.map(\.id) == [first.recoveryPoint.id])
        #expect(listed.first?.item.name == "Files and folders")
        #expect(listed.first?.size == Int64(first.recoveryPoint.point.summary.bytes))
        #expect(try Repository.open(store: store, passphrase: Self.passphrase).recoveryPoints().map(\.id) == [first.recoveryPoint.id])

        let reopened = try Repository.open(store: vault.session(credential).objectStore(), passphrase: Self.passphrase)
        try Self.restore(reopened, try reopened.resolveRecoveryPoint("latest"), to: scratch.sub("restored"))
        try Self.expectSameFiles(source, restoredUnder: scratch.sub("restored"))

        // A second backup of the same tree, by a new process (a new session): only the recovery point and little else.
        let secondSession = vault.session(credential)
        let secondStore = secondSession.objectStore()
        let again = try Repository.open(store: secondStore, passphrase: Self.passphrase)
        let second = try Self.backup(again, source, parent: first.recoveryPoint, time: "2026-11-24T13:00:00.000000000Z",
                                     retainUntil: "2099-01-01T00:00:00.5Z")
        try secondStore.close()
        let secondSent = secondSession.connection.statistics.bytesSent
        print("vault end to end: first backup sent \(firstSent) bytes, the unchanged second one \(secondSent) bytes "
            + "in \(secondSession.connection.statistics.requests) requests")
        #expect(second.recoveryPoint.point.summary.filesUnchanged == 62)
        #expect(secondSent < 16_384 && secondSent * 100 < firstSent)
        let both = try firstSession.recoveryPoints()
        #expect(both.map(\.id) == [second.recoveryPoint.id, first.recoveryPoint.id])
        #expect(both.map(\.retainUntil) == ["2099-01-01T00:00:00Z", nil])
        #expect(both.first?.time == "2026-11-24T13:00:00Z")
        #expect(try firstSession.recoveryPoints(item: .filesAndFolders).count == 2)
        #expect(try firstSession.recoveryPoints(item: BackupItem(kind: "files", name: "/srv")).isEmpty)
        #expect(try firstSession.items().map(\.name) == ["Files and folders"])

        // Restore to another server: a second machine of the vault reads the first one's repository with its passphrase.
        let other = vault.session(try vault.register("web-02"))
        let foreign = other.objectStore(machineId: try other.machine("web-01").id)
        let wrong = #expect(throws: RepositoryError.self) { try Repository.open(store: foreign, passphrase: Array("web-02's own passphrase".utf8)) }
        #expect(wrong?.code == .wrongPassphrase)
        let theirs = try Repository.open(store: foreign, passphrase: Self.passphrase)
        try Self.restore(theirs, try theirs.resolveRecoveryPoint("latest"), to: scratch.sub("elsewhere"))
        try Self.expectSameFiles(source, restoredUnder: scratch.sub("elsewhere"))
    }

    @Test("a backup into the vault uploads several packs at once, and what it stored restores identically")
    func parallelPackUploads() throws {
        let vault = try LoopbackVault()
        let scratch = try Scratch()
        let source = scratch.sub("source")
        try Self.makeTree(at: source)
        for index in 0..<6 {
            try FileIO.writeFileAtomically(source + "/more-\(index).bin", (0..<1_000_000).map { _ in UInt8.random(in: 0...255) }, durable: false)
        }
        let session = vault.session(try vault.register("web-01"))
        let store = session.objectStore()
        #expect(store.parallelUploads == 4)
        // Small packs, so the 8 MB of random data fill several of them, and a link where each upload takes 150 ms.
        vault.recorder.delayDataPuts(microseconds: 150_000)
        let config = RepositoryConfig(id: String(repeating: "ab", count: 32), packSize: 1 << 18)
        let repository = try Repository.create(store: store, passphrase: Self.passphrase, config: config, cost: .testing,
                                               identity: WriterIdentity(time: "2026-11-24T12:00:00Z", hostname: "web-01", username: "root"))
        let result = try Self.backup(repository, source, time: "2026-11-24T12:00:00.000000000Z")
        try store.close()
        #expect(result.statistics.packsStored >= 8)
        #expect(vault.recorder.mostDataPutsInFlight > 1)
        #expect(try Checker(repository: Repository.open(store: session.objectStore(), passphrase: Self.passphrase, loadIndex: false))
            .run(readData: true).problems.isEmpty)
    }

    @Test("after the vault collects a pack an index still names, a stale index fails the commit; a fresh one uploads the data again")
    func garbageCollectedPack() throws {
        let vault = try LoopbackVault()
        let session = vault.session(try vault.register("web-01"))
        let store = session.objectStore()
        let repository = try Repository.create(store: store, passphrase: Self.passphrase, cost: .testing,
                                               identity: WriterIdentity(time: "2026-11-24T12:00:00Z", hostname: "web-01", username: "root"))
        // Two packs in one index object; the committed point uses only the first, so the second is garbage.
        let kept = (0..<50_000).map { _ in UInt8.random(in: 0...255) }, dropped = (0..<50_000).map { _ in UInt8.random(in: 0...255) }
        let writer = try RepositoryWriter(repository: repository)
        let keptWriter = try writer.makeBlobWriter(), droppedWriter = try writer.makeBlobWriter()
        let keptID = try keptWriter.save(kept, type: .data)
        let droppedID = try droppedWriter.save(dropped, type: .data)
        try keptWriter.flush()
        try droppedWriter.flush()
        var node = Node(name: Array("file".utf8), kind: .regular)
        node.content = [keptID]
        let treeWriter = try writer.makeBlobWriter()
        let tree = try treeWriter.save(Tree(nodes: [node]).encoded(), type: .tree)
        try treeWriter.flush()
        try writer.finish()
        #expect(try store.list(.index).count == 1)
        _ = try repository.saveRecoveryPoint(RecoveryPoint(time: "2026-11-24T12:00:00Z", hostname: "web-01", username: "root",
                                                           paths: ["/file"], tree: tree))
        try store.close()
        let droppedPack = try #require(repository.index.location(of: droppedID)).pack

        vault.clock.advance(2 * 3600)
        let collected = try vault.service.collectGarbage()
        #expect(collected.objects == 1)
        #expect((try? store.head(ObjectKey(.data, droppedPack))) == nil)

        // The repository opened before the collection still believes in the pack: the vault refuses the commit.
        func backupBoth(_ repository: Repository) throws -> Int {
            let writer = try RepositoryWriter(repository: repository)
            let blobs = try writer.makeBlobWriter()
            var node = Node(name: Array("file".utf8), kind: .regular)
            node.content = [try blobs.save(kept, type: .data), try blobs.save(dropped, type: .data)]
            let tree = try blobs.save(Tree(nodes: [node]).encoded(), type: .tree)
            try blobs.flush()
            try writer.finish()
            _ = try repository.saveRecoveryPoint(RecoveryPoint(time: "2026-11-24T14:00:00Z", hostname: "web-01", username: "root",
                                                               paths: ["/file"], tree: tree))
            return writer.statistics.blobsAdded
        }
        let stale = #expect(throws: RepositoryError.self) { try backupBoth(repository) }
        #expect(stale?.message.contains("run the backup again") == true, "\(String(describing: stale))")
        #expect(stale?.message.contains(droppedPack) == true)

        let fresh = try Repository.open(store: store, passphrase: Self.passphrase)
        #expect(!fresh.index.contains(droppedID) && fresh.index.contains(keptID))
        #expect(try backupBoth(fresh) == 1, "only the collected blob is uploaded again; the refused attempt stored the tree")
        #expect(try session.recoveryPoints().count == 2)
        try store.close()
    }
}
