import Agent
import Testing

@Suite("Backup mode rules")
struct BackupModeRulesTests {
    let journal = JournalStatus.running(id: "j1", sequence: 40, overflows: [])
    func mark(_ outcome: ItemJournalMark.Outcome = .succeeded, journal: String? = "j1", sequence: Int64 = 30,
              goal: String = "g") -> ItemJournalMark {
        ItemJournalMark(journalID: journal, sequence: sequence, outcome: outcome, goalFingerprint: goal)
    }

    func reason(_ decision: ModeDecision) -> String? {
        if case .unoptimized(let reason) = decision { return reason }
        return nil
    }

    @Test("a journal running since the last good backup, with no gap, gives optimized mode from that backup's start")
    func optimized() {
        #expect(BackupModeRules.decide(mark: mark(), journal: journal, goalFingerprint: "g") == .optimized(since: 30))
    }

    @Test("the initial backup, and any after a failed or cancelled one, is unoptimized, with the reason")
    func outcomes() {
        #expect(reason(BackupModeRules.decide(mark: nil, journal: journal, goalFingerprint: "g"))?.contains("first backup") == true)
        #expect(reason(BackupModeRules.decide(mark: mark(), journal: journal, goalFingerprint: "g", parent: "other"))?.contains("newest recovery point") == true)
        #expect(reason(BackupModeRules.decide(mark: mark(.failed), journal: journal, goalFingerprint: "g"))?.contains("failed") == true)
        #expect(reason(BackupModeRules.decide(mark: mark(.cancelled), journal: journal, goalFingerprint: "g"))?.contains("cancelled") == true)
        #expect(reason(BackupModeRules.decide(mark: mark(), journal: journal, goalFingerprint: "g",
                                              pendingReason: "the agent stopped during the last backup")) == "the agent stopped during the last backup")
    }

    @Test("a restarted journal, an overflow after the mark, a changed goal or no journal at all make it unoptimized")
    func gaps() {
        #expect(reason(BackupModeRules.decide(mark: mark(journal: "j0"), journal: journal, goalFingerprint: "g"))?.contains("restarted") == true)
        #expect(reason(BackupModeRules.decide(mark: mark(journal: nil), journal: journal, goalFingerprint: "g"))?.contains("gap") == true)
        let overflowed = JournalStatus.running(id: "j1", sequence: 40, overflows: [35])
        #expect(reason(BackupModeRules.decide(mark: mark(), journal: overflowed, goalFingerprint: "g"))?.contains("kernel could queue") == true)
        let earlier = JournalStatus.running(id: "j1", sequence: 40, overflows: [12])
        #expect(BackupModeRules.decide(mark: mark(), journal: earlier, goalFingerprint: "g") == .optimized(since: 30))
        #expect(reason(BackupModeRules.decide(mark: mark(), journal: journal, goalFingerprint: "other"))?.contains("goal") == true)
        let none = JournalStatus.unavailable(reason: "fanotify needs root (CAP_SYS_ADMIN)")
        #expect(reason(BackupModeRules.decide(mark: mark(), journal: none, goalFingerprint: "g")) == "no change journal: fanotify needs root (CAP_SYS_ADMIN)")
    }
}
