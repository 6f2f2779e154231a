/// PasswordHasher owns turning the administrator's password into a salted scrypt hash and checking it.
import Crypto

/// Salted scrypt password hashes stored as `scrypt$<log2 N>$<r>$<p>$<salt hex>$<hash hex>`.
///
/// The parameters travel with the hash, so raising the cost later keeps old hashes verifiable.
public struct PasswordHasher: Sendable, Equatable {
    /// log2 of scrypt's N.
    public var logN: UInt8
    public var r: UInt64
    public var p: UInt64

    /// - Parameters: scrypt's cost; the default (N = 2^15, r = 8) takes 32 MiB and tens of milliseconds.
    public init(logN: UInt8 = 15, r: UInt64 = 8, p: UInt64 = 1) {
        self.logN = logN
        self.r = r
        self.p = p
    }

    /// A new hash of `password` with a fresh 16-byte salt.
    public func hash(_ password: String) throws -> String {
        let salt = SecureRandom.bytes(16)
        let derived = try Self.derive(password, salt: salt, logN: logN, r: r, p: p)
        return "scrypt$\(logN)$\(r)$\(p)$\(Hex.encode(salt))$\(Hex.encode(derived))"
    }

    /// True when `password` matches `stored`; false for a wrong password or a malformed hash.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let logN = UInt8(parts[1]), (1...20).contains(logN),
              let r = UInt64(parts[2]), let p = UInt64(parts[3]), let salt = Hex.decode(parts[4]),
              let expected = Hex.decode(parts[5]), expected.count == 32,
              let derived = try? derive(password, salt: salt, logN: logN, r: r, p: p)
        else { return false }
        return constantTimeEquals(derived, expected)
    }

    private static func derive(_ password: String, salt: [UInt8], logN: UInt8, r: UInt64, p: UInt64) throws -> [UInt8] {
        let key = try Scrypt.derive(passphrase: Array(password.utf8), salt: salt, n: 1 << UInt64(logN), r: r, p: p, length: 32)
        return key.withUnsafeBytes { Array($0) }
    }
}
