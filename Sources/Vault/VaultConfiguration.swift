/// The vault service's settings, with the defaults of config/vault.conf.
public struct VaultConfiguration: Sendable, Equatable {
    /// The directory holding `vault.sqlite`, `objects/` and the TLS identity.
    public var dataDirectory: String
    /// Garbage collection spares objects stored less than this many seconds before the oldest open lease (or now).
    public var gcMarginSeconds: Int = 3600
    /// How long a soft-deleted recovery point stays recoverable, in seconds (14 days).
    public var softDeleteSeconds: Int = 14 * 86400
    /// The largest object upload, in bytes (256 MiB).
    public var maxObjectSize: Int = 256 << 20
    /// How long a security PIN stays valid, in seconds.
    public var pinLifetimeSeconds: Int = 300
    /// The lifetime of vault credentials when none is chosen, in seconds (48 hours).
    public var defaultCredentialsLifetimeSeconds: Int = 48 * 3600
    /// The longest lifetime vault credentials may have, in seconds (10 days).
    public var maxCredentialsLifetimeSeconds: Int = 10 * 86400

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }
}
