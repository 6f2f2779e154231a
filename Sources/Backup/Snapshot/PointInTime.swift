/// PointInTime names how one source was frozen for a backup: read from a read-only snapshot, or read live and why.

/// Whether a backup may take snapshots of its sources.
public enum SnapshotPolicy: String, Sendable, CaseIterable {
    /// A read-only snapshot wherever the source's filesystem can take one (btrfs); live elsewhere.
    case auto
    /// Every source is read live.
    case off
}

/// How one source was read.
public struct PointInTime: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Method: String, Sendable, Codable {
        /// Read from a read-only btrfs snapshot taken when the backup started: every file as of one instant.
        case btrfsSnapshot = "btrfs snapshot"
        /// Read from the live filesystem; a file that changes while it is read is read again once, then reported.
        case live
    }

    /// The source as the recovery point records it.
    public var path: String
    public var method: Method
    /// Why a source was read live ("ext4 has no snapshots"); nil for a snapshot.
    public var reason: String?

    public init(path: String, method: Method, reason: String? = nil) {
        self.path = path
        self.method = method
        self.reason = reason
    }

    /// "btrfs snapshot", or "live: ext4 has no snapshots".
    public var summary: String { method.rawValue + (reason.map { ": " + $0 } ?? "") }

    public var description: String { "\(path): \(summary)" }
}
