import Crypto

/// The repository's random key material: encryption root, blob-id key and chunker seed.
public struct MasterKey: Sendable {
    static let length = 96

    let encryptionKey: SecretBytes
    let idKey: SecretBytes
    let chunkerKey: SecretBytes
    let material: SecretBytes

    init(material: SecretBytes) throws {
        guard material.count == MasterKey.length else {
            throw RepositoryError(.corrupt, "the master key has \(material.count) bytes, expected \(MasterKey.length)")
        }
        self.material = material
        encryptionKey = material.slice(0..<32)
        idKey = material.slice(32..<64)
        chunkerKey = material.slice(64..<96)
    }

    static func generate() -> MasterKey {
        // Only a wrong length can fail, and the length is right.
        try! MasterKey(material: SecretBytes.random(count: length))
    }

    /// The chunker key as plain bytes: it seeds a table that never leaves memory.
    var chunkerSeed: [UInt8] { chunkerKey.withUnsafeBytes { Array($0) } }
}
