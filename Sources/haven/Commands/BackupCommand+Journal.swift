/// How `haven backup --journal` decides its mode: by the agent's rules (BackupModeRules), fed from the journal folder
/// that `haven journal watch` keeps instead of from the agent's database.
import Agent

extension BackupCommand {
    /// What the journal allows: the directories to list (nil: all of them), and why all of them, when a parent exists.
    struct JournalDecision {
        var changedDirectories: Set<String>?
        var multiLinkDirectories: Set<String> = []
        var reason: String?
    }

    /// - Parameters:
    ///   - taken: what the watcher handed over, and its journal id.
    ///   - state: the mark the last good backup with this journal left.
    ///   - fingerprint: this backup's sources and exclusions (`BackupModeRules.fingerprint`).
    ///   - parent: the recovery point this backup compares with; without one every file is read anyway.
    static func decide(taken: JournalDirectory.Taken, state: JournalDirectory.State?, fingerprint: String, parent: String?)
        -> JournalDecision
    {
        guard parent != nil else { return JournalDecision() }
        guard taken.answered else {
            return JournalDecision(reason: "the running `haven journal watch` did not hand its journal over (restart it if this persists)")
        }
        guard let watcherID = taken.watcherID else {
            return JournalDecision(reason: "no `haven journal watch` is keeping the journal, so changes may have been missed")
        }
        guard let state else { return JournalDecision(reason: "the journal has no mark of a previous good backup yet") }
        // The watcher numbers nothing: the hand-over is sequence 1 after the mark's 0, and an overflow lies within it.
        let mark = ItemJournalMark(journalID: state.journalID, sequence: 0, outcome: .succeeded,
                                   goalFingerprint: state.fingerprint ?? "", recoveryPoint: state.point)
        let journal = JournalStatus.running(id: watcherID, sequence: 1, overflows: taken.overflowed ? [1] : [])
        switch BackupModeRules.decide(mark: mark, journal: journal, goalFingerprint: fingerprint, parent: parent) {
        case .optimized:
            return JournalDecision(changedDirectories: taken.directories, multiLinkDirectories: Set(state.multiLinkDirectories))
        case .unoptimized(let reason):
            return JournalDecision(reason: reason)
        }
    }
}
