/// BackupModeRules decide, as MARS does, whether an item's next backup may trust the change journal (optimized mode)
/// or must compare every file with the previous recovery point (unoptimized mode), and say why.

/// What the journal looks like now.
public enum JournalStatus: Sendable, Equatable {
    /// The journal runs: `id` is new each time the agent starts watching; `sequence` grows with every batch of
    /// changes recorded; `overflows` are the sequences at which events were lost.
    case running(id: String, sequence: Int64, overflows: [Int64])
    /// There is no journal on this machine, for this reason (kernel, privileges, filesystem).
    case unavailable(reason: String)
}

/// What the agent remembers about an item's last backup, for the journal.
public struct ItemJournalMark: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable { case succeeded, failed, cancelled }

    /// The journal and its sequence when the last backup started: changes after it are the next backup's to see.
    public var journalID: String?
    public var sequence: Int64
    /// How the last backup ended.
    public var outcome: Outcome
    /// The goal's sources and exclusions it ran with; another goal means another tree to compare.
    public var goalFingerprint: String
    /// The recovery point it made, which the next optimized backup must start from.
    public var recoveryPoint: String?

    public init(journalID: String?, sequence: Int64, outcome: Outcome, goalFingerprint: String, recoveryPoint: String? = nil) {
        self.journalID = journalID
        self.sequence = sequence
        self.outcome = outcome
        self.goalFingerprint = goalFingerprint
        self.recoveryPoint = recoveryPoint
    }
}

/// The decision for one backup.
public enum ModeDecision: Sendable, Equatable {
    /// List only the directories the journal recorded after `since`.
    case optimized(since: Int64)
    case unoptimized(reason: String)
}

public enum BackupModeRules {
    /// What an item's journal mark depends on besides time: another set of sources or exclusions is another tree.
    public static func fingerprint(paths: [String], excludes: [String], oneFileSystem: Bool) -> String {
        (paths.sorted() + ["--"] + excludes.sorted() + [oneFileSystem ? "one-file-system" : ""]).joined(separator: "\u{0}")
    }

    /// - Parameters:
    ///   - mark: the item's last backup, nil when it never had one.
    ///   - journal: the journal's state now.
    ///   - goalFingerprint: the sources and exclusions of this backup.
    ///   - pendingReason: a reason recorded for the item by something else (the agent died during its last backup).
    ///   - parent: the recovery point the backup compares with, when the caller knows it; it must be the one the
    ///     mark's backup made.
    public static func decide(mark: ItemJournalMark?, journal: JournalStatus, goalFingerprint: String,
                              pendingReason: String? = nil, parent: String? = nil) -> ModeDecision {
        guard let mark else { return .unoptimized(reason: "first backup of this item on this machine: every file is compared") }
        if let pendingReason { return .unoptimized(reason: pendingReason) }
        switch mark.outcome {
        case .failed: return .unoptimized(reason: "the previous backup of this item failed")
        case .cancelled: return .unoptimized(reason: "the previous backup of this item was cancelled")
        case .succeeded: break
        }
        if let parent, mark.recoveryPoint != parent {
            return .unoptimized(reason: "the newest recovery point is not the one this machine's last backup made")
        }
        guard mark.goalFingerprint == goalFingerprint else {
            return .unoptimized(reason: "the backup goal's sources or exclusions changed since the last backup")
        }
        switch journal {
        case .unavailable(let reason):
            return .unoptimized(reason: "no change journal: \(reason)")
        case .running(let id, _, let overflows):
            guard mark.journalID == id else {
                return .unoptimized(reason: "the change journal has a gap: it was restarted (the agent or `haven journal watch`), or the "
                    + "filesystem remounted, since the last backup")
            }
            if overflows.contains(where: { $0 > mark.sequence }) {
                return .unoptimized(reason: "the change journal has a gap: more changes arrived at once than the kernel could queue")
            }
            return .optimized(since: mark.sequence)
        }
    }
}
