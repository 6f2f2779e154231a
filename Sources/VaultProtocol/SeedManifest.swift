/// The manifest of an offline seed (docs/offline-seeding.md): what the agent writes beside the seed's objects and
/// what the vault checks every object against before it imports anything.

/// `manifest.json` of a seed.
public struct SeedManifest: Codable, Sendable, Equatable {
    public static let formatName = "haven-seed"
    public static let currentVersion = 1
    /// The manifest's file name inside the seed.
    public static let fileName = "manifest.json"
    /// The instructions written beside it.
    public static let readmeName = "README.txt"

    /// One object file of the seed.
    public struct Object: Codable, Sendable, Equatable {
        /// `keys`, `data`, `index` or `recovery-points`.
        public var kind: String
        /// 64 lowercase hex characters: the SHA-256 of the content.
        public var name: String
        public var size: Int64
        public var sha256: String

        public init(kind: String, name: String, size: Int64, sha256: String) {
            self.kind = kind
            self.name = name
            self.size = size
            self.sha256 = sha256
        }
    }

    public var format = SeedManifest.formatName
    public var version = SeedManifest.currentVersion
    public var vault: String
    public var machine: String
    public var machineName: String
    /// RFC 3339 in UTC.
    public var createdAt: String
    /// The commit the vault makes once the objects are in, as the API would receive it.
    public var recoveryPoint: CommitRecoveryPointRequest
    public var objects: [Object]
    public var totalObjects: Int
    public var totalBytes: Int64

    public init(vault: String, machine: String, machineName: String, createdAt: String,
                recoveryPoint: CommitRecoveryPointRequest, objects: [Object]) {
        self.vault = vault
        self.machine = machine
        self.machineName = machineName
        self.createdAt = createdAt
        self.recoveryPoint = recoveryPoint
        self.objects = objects
        totalObjects = objects.count
        totalBytes = objects.reduce(0) { $0 + $1.size }
    }
}
