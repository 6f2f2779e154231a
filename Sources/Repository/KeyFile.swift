import Crypto
import Foundation

/// A key slot: the master key wrapped with a key derived from a passphrase by scrypt (a `keys` object).
struct KeyFile: Codable, Sendable {
    static let wrapAAD = Array("haven-key-v1".utf8)

    var version: Int
    var created: String
    var hostname: String
    var username: String
    var kdf: String
    var N: UInt64
    var r: UInt64
    var p: UInt64
    var salt: String
    var nonce: String
    var data: String

    /// scrypt cost: N = 2^15, r = 8 needs 32 MiB and about 0.1 s per attempt.
    struct Cost: Sendable {
        var n: UInt64 = 1 << 15
        var r: UInt64 = 8
        var p: UInt64 = 1
    }

    static func wrap(
        _ key: MasterKey, passphrase: [UInt8], cost: Cost, created: String, hostname: String, username: String
    ) throws -> KeyFile {
        let salt = SecureRandom.bytes(32)
        let nonce = SecureRandom.bytes(12)
        let kek = try Scrypt.derive(passphrase: passphrase, salt: salt, n: cost.n, r: cost.r, p: cost.p, length: 32)
        var sealed: [UInt8] = []
        try key.material.withUnsafeBytes { plain in
            try wrapAAD.withUnsafeBytes { aad in
                try AES256GCM(key: kek).seal(plain, nonce: nonce, aad: aad, into: &sealed)
            }
        }
        return KeyFile(
            version: 1, created: created, hostname: hostname, username: username, kdf: "scrypt",
            N: cost.n, r: cost.r, p: cost.p,
            salt: Data(salt).base64EncodedString(), nonce: Data(nonce).base64EncodedString(),
            data: Data(sealed).base64EncodedString())
    }

    /// The master key, or nil when the passphrase is not this slot's.
    func unwrap(passphrase: [UInt8]) throws -> MasterKey? {
        guard version == 1, kdf == "scrypt",
            let salt = Data(base64Encoded: salt), let nonce = Data(base64Encoded: nonce),
            let sealed = Data(base64Encoded: data), nonce.count == 12,
            N >= 2, N <= 1 << 22, N & (N - 1) == 0, r >= 1, r <= 32, p >= 1, p <= 16
        else { throw RepositoryError(.corrupt, "a key file is malformed or uses unknown parameters") }
        let kek: SecretBytes
        do {
            kek = try Scrypt.derive(passphrase: passphrase, salt: Array(salt), n: N, r: r, p: p, length: 32)
        } catch {
            throw RepositoryError(.corrupt, "a key file's scrypt parameters cannot be used: \(error)")
        }
        do {
            let material = try Array(sealed).withUnsafeBytes { sealedBytes in
                try KeyFile.wrapAAD.withUnsafeBytes { aad in
                    try AES256GCM(key: kek).open(sealedBytes, nonce: Array(nonce), aad: aad)
                }
            }
            return try MasterKey(material: SecretBytes(material))
        } catch let error as RepositoryError {
            throw error
        } catch {
            return nil
        }
    }
}
