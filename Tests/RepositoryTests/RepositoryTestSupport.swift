import Crypto
import FileIO
import Foundation
import ObjectStore
import Repository

/// A repository in a temporary directory, removed when the value is released.
final class TemporaryRepository {
    let path: String
    let store: FilesystemStore
    let repository: Repository
    static let passphrase = Array("a passphrase of some length".utf8)
    static let hasher: @Sendable ([UInt8]) -> String = { Hex.encode(SHA256.hash($0)) }
    static let identity = WriterIdentity(time: "2026-11-24T12:00:00Z", hostname: "host", username: "root")

    init(config: RepositoryConfig? = nil) throws {
        path = NSTemporaryDirectory() + "haven-repo-test-" + Hex.encode(SecureRandom.bytes(6))
        store = try FilesystemStore.create(root: path, hasher: Self.hasher)
        repository = try Repository.create(store: store, passphrase: Self.passphrase, config: config, cost: .testing,
                                           identity: Self.identity)
    }

    deinit { try? FileIO.removeTree(path) }

    func reopen(loadIndex: Bool = true) throws -> Repository {
        try Repository.open(store: store, passphrase: Self.passphrase, loadIndex: loadIndex)
    }

    /// Stores blobs and a recovery point whose root tree lists them as one file; returns the point.
    @discardableResult
    func commit(_ chunks: [[UInt8]], time: String = "2026-11-24T12:00:00Z", into repository: Repository? = nil) throws -> StoredRecoveryPoint {
        let repository = repository ?? self.repository
        let writer = try RepositoryWriter(repository: repository)
        let blobs = try writer.makeBlobWriter()
        var node = Node(name: Array("file".utf8), kind: .regular)
        for chunk in chunks { node.content.append(try blobs.save(chunk, type: .data)) }
        node.size = UInt64(chunks.reduce(0) { $0 + $1.count })
        let tree = try blobs.save(Tree(nodes: [node]).encoded(), type: .tree)
        try blobs.flush()
        try writer.finish()
        return try repository.saveRecoveryPoint(RecoveryPoint(time: time, hostname: "host", username: "root",
                                                              paths: ["/file"], tree: tree))
    }

    static func randomBytes(_ count: Int) -> [UInt8] { SecureRandom.bytes(count) }
}
