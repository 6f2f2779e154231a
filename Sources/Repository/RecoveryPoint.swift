/// A recovery point: the commit of one backup, naming its root tree, time, host, paths and figures.
public struct RecoveryPoint: Codable, Sendable, Equatable {
    public var version: Int = 1
    /// RFC 3339 time with nanoseconds, UTC.
    public var time: String
    public var hostname: String
    public var username: String
    public var paths: [String]
    public var excludes: [String]
    public var tags: [String]
    public var tree: String
    public var parent: String?
    public var summary: Summary

    public struct Summary: Codable, Sendable, Equatable {
        public var files = 0
        public var directories = 0
        public var otherEntries = 0
        public var bytes: UInt64 = 0
        public var filesNew = 0
        public var filesChanged = 0
        public var filesUnchanged = 0
        public var blobsAdded = 0
        public var bytesAdded: UInt64 = 0
        public var bytesStored: UInt64 = 0
        public var warnings = 0
        public var durationSeconds: Double = 0

        public init() {}
    }

    public init(time: String, hostname: String, username: String, paths: [String], excludes: [String] = [],
                tags: [String] = [], tree: BlobID, parent: String? = nil, summary: Summary = Summary()) {
        self.time = time
        self.hostname = hostname
        self.username = username
        self.paths = paths
        self.excludes = excludes
        self.tags = tags
        self.tree = tree.hex
        self.parent = parent
        self.summary = summary
    }

    public var treeID: BlobID? { BlobID(hex: tree) }
}

/// A recovery point with its id (the object id it is stored under).
public struct StoredRecoveryPoint: Sendable, Equatable {
    public let id: String
    public let point: RecoveryPoint

    public var shortID: String { String(id.prefix(8)) }
}
