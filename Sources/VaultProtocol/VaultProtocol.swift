/// VaultProtocol holds the vault API's wire types (docs/vault-api.md): what crosses HTTP between
/// `VaultAPI` (the vault side) and `VaultClient` (the agent side). Plain Codable values, no logic beyond validation.

/// The API's path prefix; every endpoint lives under it.
public enum VaultAPIPath {
    public static let prefix = "/api/v1"
}

/// Header names the API uses beyond standard HTTP.
public enum VaultHeader {
    /// The id of an open upload lease, required on uploads of data, index, recovery-points and keys.
    public static let lease = "Haven-Lease"
    /// A security PIN confirming a destructive operation.
    public static let securityPIN = "Haven-Security-PIN"
}
