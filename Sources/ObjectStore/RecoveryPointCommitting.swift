/// The commit step of stores that keep a recovery point hidden until it is committed (the vault), and what it declares.

/// What a recovery point protects, as a store that accounts for backup items records it.
public struct BackupItem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The kinds an item can be: "files" (files and folders), "volume" and "system-state".
    public static let kinds = ["files", "volume", "system-state"]
    /// The item a files-and-folders backup is recorded under unless it is named otherwise.
    public static let filesAndFolders = BackupItem(kind: "files", name: "Files and folders")

    /// One of `kinds`.
    public var kind: String
    /// The agent's label, e.g. "/srv" or "Files and folders".
    public var name: String

    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    public var description: String { "\(kind) \"\(name)\"" }
}

/// A store on which storing a `recovery-points` object is not enough to make it a recovery point.
///
/// The vault lists only committed recovery points, so a backup that stored its point but never committed it
/// stays invisible, and the vault keeps what a committed point references alive. The engine calls
/// `commitRecoveryPoint` right after the `recovery-points` object was put. A store without this protocol
/// (the filesystem store) needs nothing more: the put is the commit.
public protocol RecoveryPointCommitting: ObjectStore {
    /// Commits the stored `recovery-points` object `object` as a recovery point of `item`.
    ///
    /// - Parameters:
    ///   - time: when the backup started, RFC 3339 in UTC (fractions of a second may be dropped).
    ///   - size: the protected size in bytes.
    ///   - retainUntil: keep the point at least until then (RFC 3339), whatever the retention policy says.
    ///   - references: every object a restore of the point needs besides the point itself (packs and the
    ///     index objects locating their blobs). A store must refuse the commit with `notFound`, naming them,
    ///     when some do not exist.
    /// Committing the same object again succeeds and changes nothing.
    func commitRecoveryPoint(object: ObjectKey, item: BackupItem, time: String, size: Int64, retainUntil: String?,
                             references: [ObjectKey]) throws
}
