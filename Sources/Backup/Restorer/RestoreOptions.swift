import Repository

/// What to do when the restore meets an entry that already exists at the target.
public enum ConflictPolicy: String, Sendable, CaseIterable {
    /// Keep the existing entry; restore beside it as "YYYY-MM-DD HH-MM Copy of NAME" (as MARS does).
    case copy
    /// Replace the existing entry.
    case overwrite
    /// Keep the existing entry and do not restore this one.
    case skip
}

/// Where and how to restore a recovery point.
public struct RestoreOptions: Sendable {
    /// The directory the recovery point's paths are recreated under (created if missing).
    public var target: String
    /// Absolute paths inside the recovery point to restore; empty means everything.
    public var includes: [String] = []
    /// A folder of the recovery point restored as the target itself: its contents land directly in `target`, and its
    /// own owner, mode, attributes and times are set on `target` (a whole volume restored to a fresh filesystem's
    /// mount point). Nil: the point's paths are recreated under `target`.
    public var sourceRoot: String?
    public var conflict: ConflictPolicy = .copy
    /// Restore owners, modes, extended attributes and ACLs (times are always restored).
    public var restorePermissions = true
    /// The "YYYY-MM-DD HH-MM" stamp of copies made under `.copy`; the caller reads the clock.
    public var copyStamp: String
    public var threads: Int
    /// Live figures and the cancel switch; nil when nobody watches.
    public var progress: RestoreProgress?

    public init(target: String, copyStamp: String, threads: Int) {
        self.target = target
        self.copyStamp = copyStamp
        self.threads = threads
    }
}

/// What a restore did.
public struct RestoreResult: Sendable {
    public var files = 0
    public var directories = 0
    public var otherEntries = 0
    public var bytes: UInt64 = 0
    public var skipped = 0
    /// Paths (relative to the target) of entries restored as copies beside existing ones.
    public var copies: [String] = []
    public var warnings: [BackupWarning] = []
}
