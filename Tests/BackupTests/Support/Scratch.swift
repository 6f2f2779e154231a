import Backup
import Crypto
import FileIO
import Foundation
import ObjectStore
import Repository

/// A temporary directory for one test, removed when the test ends.
final class Scratch {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "haven-test-" + Hex.encode(SecureRandom.bytes(6))
        try FileIO.makeDirectories(path, mode: 0o755)
    }

    deinit { try? FileIO.removeTree(path) }

    func sub(_ name: String) -> String { path + "/" + name }

    /// A "source" directory holding the tree of every special case (`TreeFixture.make`).
    func fixtureSource() throws -> String {
        let source = sub("source")
        try FileIO.makeDirectories(source)
        try TreeFixture.make(at: source)
        return source
    }

    static let passphrase = Array("correct horse battery staple".utf8)
    static let hasher: @Sendable ([UInt8]) -> String = { Hex.encode(SHA256.hash($0)) }

    /// A new repository in this scratch directory, with cheap scrypt parameters.
    func makeRepository(name: String = "repo") throws -> Repository {
        let store = try FilesystemStore.create(root: sub(name), hasher: Scratch.hasher)
        return try Repository.create(store: store, passphrase: Scratch.passphrase, cost: .testing, identity: Scratch.identity())
    }

    func reopen(name: String = "repo", loadIndex: Bool = true) throws -> Repository {
        try Repository.open(store: try FilesystemStore(root: sub(name), hasher: Scratch.hasher), passphrase: Scratch.passphrase,
                            loadIndex: loadIndex)
    }

    static func identity(_ time: String = "2026-11-24T12:00:00.000000000Z") -> WriterIdentity {
        WriterIdentity(time: time, hostname: "test-host", username: "root")
    }

    static func backup(_ repository: Repository, _ paths: [String], parent: StoredRecoveryPoint? = nil,
                       time: String = "2026-11-24T12:00:00.000000000Z", configure: (inout BackupOptions) -> Void = { _ in }) throws -> BackupResult {
        var options = BackupOptions(paths: paths, identity: identity(time), threads: 2)
        options.parent = parent
        configure(&options)
        return try Archiver(repository: repository, options: options).run()
    }

    static func restore(_ repository: Repository, _ point: StoredRecoveryPoint, to target: String,
                        configure: (inout RestoreOptions) -> Void = { _ in }) throws -> RestoreResult {
        var options = RestoreOptions(target: target, copyStamp: "2026-11-24 12-00", threads: 2)
        configure(&options)
        return try Restorer(repository: repository, point: point, options: options).run()
    }
}
