/// What the change journal means for the next backup of each item of the goal, for the overview: the mode the rules
/// give now and why, and how many folders the journal has recorded for it so far.
import Foundation

/// The change journal as the overview shows it.
public struct JournalOverview: Sendable, Equatable {
    /// Whether the journal runs; when not, why (kernel, privileges, filesystem).
    public var running: Bool
    public var unavailableReason: String?
    /// One line per item of the goal, in the goal's order.
    public var items: [NextMode]

    /// How an item's next backup would run if it started now.
    public struct NextMode: Sendable, Equatable {
        public var kind: String
        public var name: String
        public var optimized: Bool
        /// Why it would not be optimized.
        public var reason: String?
        /// Optimized: the folders the journal has recorded since the item's last backup, which it would list.
        public var changedDirectories: Int?
    }
}

extension AgentService {
    static let firstBackupForecast = "first backup of this item: every file will be read"

    /// The journal's state and the mode each item of `goal` would back up in now, by the rules the backup job
    /// applies (`BackupModeRules`). The job decides again when it starts; it also checks that the vault's newest
    /// recovery point is the one this machine made, which this forecast leaves to it.
    public func journalOverview(goal: BackupGoal?) throws -> JournalOverview {
        let status = journal.status()
        var overview = JournalOverview(running: false, unavailableReason: nil, items: [])
        switch status {
        case .running: overview.running = true
        case .unavailable(let reason): overview.unavailableReason = reason
        }
        guard let goal else { return overview }
        for item in goal.items {
            var next = JournalOverview.NextMode(kind: item.kind, name: item.name, optimized: false)
            let mark = try goals.journalMark(kind: item.kind, name: item.name)
            if mark == nil {
                next.reason = Self.firstBackupForecast
            } else if item.kind == "system-state" {
                next.reason = Self.systemStateReason
            } else {
                let volume = item.kind == "volume"
                let fingerprint = BackupModeRules.fingerprint(paths: volume ? [item.name] : goal.paths, excludes: goal.excludePatterns,
                                                              oneFileSystem: volume)
                switch BackupModeRules.decide(mark: mark, journal: status, goalFingerprint: fingerprint,
                                              pendingReason: try goals.unoptimizedReason(kind: item.kind, name: item.name)) {
                case .optimized(let since):
                    next.optimized = true
                    next.changedDirectories = try journal.changedDirectoryCount(since: since)
                case .unoptimized(let reason):
                    next.reason = reason
                }
            }
            overview.items.append(next)
        }
        return overview
    }
}
