import Agent
import Backup
import Testing

@Suite("Backup goals")
struct BackupGoalTests {
    let daily = try! BackupSchedule(frequency: .daily, times: [TimeOfDay("21:00")!], timeZoneIdentifier: "UTC")

    func excluded(_ exclusion: Exclusion, _ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return ExcludeMatcher(patterns: [exclusion.pattern]).excludes(path: Array(path.utf8), name: Array(name.utf8))
    }

    @Test("exclusions leave out a folder, or a wildcard with or without subfolders, as the archiver reads them")
    func exclusionsMatch() throws {
        let folder = try Exclusion(folder: "/srv/cache/")
        #expect(folder.pattern == "/srv/cache")
        #expect(excluded(folder, "/srv/cache"))

        let deep = try Exclusion(folder: "/srv", wildcard: "*.tmp", subfolders: true)
        #expect(excluded(deep, "/srv/a/b/c.tmp") && excluded(deep, "/srv/c.tmp"))
        #expect(deep.summary == "*.tmp in /srv and its subfolders")

        let shallow = try Exclusion(folder: "/srv", wildcard: "*.tmp", subfolders: false)
        #expect(excluded(shallow, "/srv/c.tmp") && !excluded(shallow, "/srv/a/c.tmp"))

        let root = try Exclusion(folder: "/", wildcard: "*.iso", subfolders: true)
        #expect(excluded(root, "/home/ann/disk.iso"))
    }

    @Test("bad exclusions are refused with the field and a reason")
    func badExclusions() {
        #expect(throws: GoalError.self) { try Exclusion(folder: "relative/path") }
        #expect(throws: GoalError.self) { try Exclusion(folder: "/srv/../etc") }
        #expect(throws: GoalError.self) { try Exclusion(folder: "/srv", wildcard: "a/b") }
        #expect(throws: GoalError.self) { try Exclusion(folder: "/srv", wildcard: "") }
    }

    @Test("a goal needs something to protect, absolute paths and a retention that keeps something")
    func goalValidation() throws {
        #expect(throws: GoalError(field: "sources", "choose at least one file, folder or volume, or the system state, to protect")) {
            try BackupGoal(paths: [], schedule: daily)
        }
        #expect(throws: GoalError.self) { try BackupGoal(paths: ["srv"], schedule: daily) }
        #expect(throws: GoalError.self) {
            try BackupGoal(paths: ["/srv"], schedule: daily, retention: RetentionSettings(daily: 0, weekly: 0, monthly: 0, yearly: 0))
        }
        #expect(throws: GoalError.self) {
            try BackupGoal(paths: ["/srv"], schedule: daily, retention: RetentionSettings(daily: -1, weekly: 4, monthly: 0, yearly: 0))
        }
        let goal = try BackupGoal(paths: ["/srv", "/etc", "/srv"], systemState: true,
                                  exclusions: [try Exclusion(folder: "/srv/cache")], schedule: daily)
        #expect(goal.paths == ["/etc", "/srv"])
        #expect(goal.excludePatterns == ["/srv/cache"])
    }
}
