/// The recovery side's values: recovery points as the catalog lists them, entries of a point's tree (or of this
/// machine's), a restore request, and the overview.
import Foundation

/// One recovery point of an item.
public struct RecoveryPointInfo: Sendable, Equatable {
    public var id: String
    public var itemKind: String
    public var itemName: String
    public var time: Date
    /// The protected size in bytes.
    public var size: Int64
    public var retainUntil: Date?

    public init(id: String, itemKind: String, itemName: String, time: Date, size: Int64, retainUntil: Date?) {
        self.id = id
        self.itemKind = itemKind
        self.itemName = itemName
        self.time = time
        self.size = size
        self.retainUntil = retainUntil
    }
}

/// One entry of a directory listing: in a recovery point, or on this machine (the source picker).
public struct BrowseEntry: Sendable, Equatable {
    /// Absolute.
    public var path: String
    public var name: String
    /// "file", "directory", "symlink" or "other".
    public var kind: String
    public var size: UInt64
    public var modified: Date

    public init(path: String, name: String, kind: String, size: UInt64, modified: Date) {
        self.path = path
        self.name = name
        self.kind = kind
        self.size = size
        self.modified = modified
    }

    /// Listing order: folders first, then by name.
    static func foldersFirst(_ a: BrowseEntry, _ b: BrowseEntry) -> Bool {
        let aFolder = a.kind == "directory", bFolder = b.kind == "directory"
        return aFolder != bFolder ? aFolder : a.name < b.name
    }
}

/// What to restore, from where, to where.
public struct RestoreRequest: Codable, Sendable, Equatable {
    /// nil: this machine; else the id of another machine of the vault.
    public var sourceMachine: String?
    /// The other machine's passphrase; used to open its repository and never stored.
    public var passphrase: String?
    public var recoveryPoint: String
    /// Absolute paths inside the point; [] restores everything.
    public var paths: [String]
    public var target: Target
    /// "copy", "overwrite" or "skip": what to do when an entry exists at the target.
    public var conflict: String
    public var restorePermissions: Bool
    /// Recover the point's whole volume (the point must be of a volume item): the volume's root is the target itself,
    /// its mount point for `.original`, or the alternate folder, whose contents become the volume's.
    public var volume: Bool

    public enum Target: Codable, Sendable, Equatable {
        /// Where the files were.
        case original
        /// Under this folder, keeping the paths of the point below it; for a whole volume, this folder is its root.
        case alternate(String)
    }

    public init(sourceMachine: String? = nil, passphrase: String? = nil, recoveryPoint: String, paths: [String], target: Target,
                conflict: String, restorePermissions: Bool, volume: Bool = false) {
        self.sourceMachine = sourceMachine
        self.passphrase = passphrase
        self.recoveryPoint = recoveryPoint
        self.paths = paths
        self.target = target
        self.conflict = conflict
        self.restorePermissions = restorePermissions
        self.volume = volume
    }
}

/// The portal's first page.
public struct Overview: Sendable, Equatable {
    public var registration: RegistrationInfo?
    public var lastBackup: JobRecord?
    public var nextBackup: Date?
    public var protectedBytes: UInt64
    public var alerts: [Alert]
    /// The change journal, and the mode each item's next backup would run in.
    public var journal: JournalOverview

    public struct Alert: Sendable, Equatable {
        /// "critical", "warning" or "info".
        public var severity: String
        public var message: String

        public init(severity: String, message: String) {
            self.severity = severity
            self.message = message
        }
    }

    public init(registration: RegistrationInfo?, lastBackup: JobRecord?, nextBackup: Date?, protectedBytes: UInt64, alerts: [Alert],
                journal: JournalOverview) {
        self.registration = registration
        self.lastBackup = lastBackup
        self.nextBackup = nextBackup
        self.protectedBytes = protectedBytes
        self.alerts = alerts
        self.journal = journal
    }
}
