/// The vault credentials file: what lets a limited number of machines register with one vault until it expires.

/// The content of a `NAME_YYYY-MM-DD.VaultCredentials` file (JSON).
public struct VaultCredentials: Codable, Sendable, Equatable {
    public static let formatName = "haven-vault-credentials/1"

    public var format: String
    public var vaultId: String
    public var vaultName: String
    /// The service's base address, e.g. "https://vault.example.com:8443".
    public var address: String
    /// Lowercase hex SHA-256 of the DER certificate; empty when the vault serves plain HTTP.
    public var certificateSHA256: String
    /// Base64 SHA-256 of the DER SubjectPublicKeyInfo (libcurl's pin); empty when the vault serves plain HTTP.
    public var publicKeySHA256: String
    /// 32 random bytes, base64url without padding.
    public var registrationKey: String
    /// RFC 3339, UTC, whole seconds.
    public var issuedAt: String
    public var expiresAt: String
    /// Lowercase hex HMAC-SHA-256 over `canonicalText` with the vault's signing key.
    public var signature: String

    public init(vaultId: String, vaultName: String, address: String, certificateSHA256: String,
                publicKeySHA256: String, registrationKey: String, issuedAt: String, expiresAt: String,
                signature: String = "") {
        self.format = Self.formatName
        self.vaultId = vaultId
        self.vaultName = vaultName
        self.address = address
        self.certificateSHA256 = certificateSHA256
        self.publicKeySHA256 = publicKeySHA256
        self.registrationKey = registrationKey
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.signature = signature
    }

    /// The text the signature covers: every field but `signature`, in order, as `name=value\n`.
    public var canonicalText: String {
        [("format", format), ("vaultId", vaultId), ("vaultName", vaultName), ("address", address),
         ("certificateSHA256", certificateSHA256), ("publicKeySHA256", publicKeySHA256),
         ("registrationKey", registrationKey), ("issuedAt", issuedAt), ("expiresAt", expiresAt)]
            .map { "\($0.0)=\($0.1)\n" }.joined()
    }

    /// The file name the portal and `haven vault credentials` give the file: `NAME_YYYY-MM-DD.VaultCredentials`,
    /// with every character but ASCII letters, digits, `-` and `_` in the name replaced by `-`.
    public var suggestedFileName: String {
        let safe = String(vaultName.unicodeScalars.map { scalar -> Character in
            let ascii = scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_")
            return ascii ? Character(scalar) : "-"
        })
        return "\(safe)_\(issuedAt.prefix(10)).VaultCredentials"
    }
}
