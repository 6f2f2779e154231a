import Agent
import Foundation
import Testing

/// Builds instants from wall-clock times in a zone, so expectations read like a calendar.
func instant(_ text: String, in zone: String) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: zone)!
    let parts = text.split(whereSeparator: { "- :".contains($0) }).map { Int($0)! }
    return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4]))!
}

func utc(_ text: String) -> Date { instant(text, in: "UTC") }

func schedule(_ frequency: BackupSchedule.Frequency, _ times: [String], zone: String = "UTC") throws -> BackupSchedule {
    try BackupSchedule(frequency: frequency, times: times.map { TimeOfDay($0)! }, timeZoneIdentifier: zone)
}

@Suite("Backup schedules")
struct ScheduleTests {
    @Test("a daily schedule runs at each of its times, in order, day after day")
    func dailyTimes() throws {
        let planner = SchedulePlanner(schedule: try schedule(.daily, ["21:00", "09:00"]))
        let runs = planner.occurrences(after: utc("2026-11-24 08:00"), through: utc("2026-11-25 22:00"))
        #expect(runs == [utc("2026-11-24 09:00"), utc("2026-11-24 21:00"), utc("2026-11-25 09:00"), utc("2026-11-25 21:00")])
    }

    @Test("a weekly schedule runs only on its chosen days")
    func weeklyDays() throws {
        // 2026-11-23 is a Monday.
        let planner = SchedulePlanner(schedule: try schedule(.weekly([.monday, .friday]), ["22:30"]))
        let runs = planner.occurrences(after: utc("2026-11-23 00:00"), through: utc("2026-12-01 00:00"))
        #expect(runs == [utc("2026-11-23 22:30"), utc("2026-11-27 22:30"), utc("2026-11-30 22:30")])
        #expect(planner.next(after: utc("2026-11-28 00:00")) == utc("2026-11-30 22:30"))
    }

    @Test("schedules that cannot run are refused with a reason")
    func validation() throws {
        #expect(throws: ScheduleError.self) { try schedule(.daily, []) }
        #expect(throws: ScheduleError.self) { try schedule(.daily, ["01:00", "02:00", "03:00", "04:00"]) }
        #expect(throws: ScheduleError.self) { try schedule(.weekly([]), ["01:00"]) }
        #expect(throws: ScheduleError.self) { try schedule(.daily, ["01:00"], zone: "Mars/Olympus") }
        #expect(TimeOfDay("24:00") == nil)
        #expect(TimeOfDay("7:5") == TimeOfDay(hour: 7, minute: 5))
        #expect(TimeOfDay("07:5x") == nil)
        // Duplicates collapse, so three entries of which two are equal is fine.
        #expect(try schedule(.daily, ["01:00", "01:00", "02:00", "03:00"]).times.count == 3)
        #expect(try schedule(.weekly([.friday, .monday]), ["22:30", "06:00"]).summary
            == "Weekly on Monday, Friday at 06:00, 22:30")
    }

    @Test("a time inside the spring-forward gap runs when the clock jumps, once")
    func springForward() throws {
        // Europe/Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00 UTC); 02:30 does not exist.
        let planner = SchedulePlanner(schedule: try schedule(.daily, ["02:30"], zone: "Europe/Berlin"))
        let runs = planner.occurrences(after: utc("2026-03-28 00:00"), through: utc("2026-03-31 00:00"))
        #expect(runs == [utc("2026-03-28 01:30"), utc("2026-03-29 01:00"), utc("2026-03-30 00:30")])
    }

    @Test("a time in the repeated fall-back hour runs once, at its first occurrence")
    func fallBack() throws {
        // Europe/Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:30 happens twice.
        let planner = SchedulePlanner(schedule: try schedule(.daily, ["02:30"], zone: "Europe/Berlin"))
        let runs = planner.occurrences(after: utc("2026-10-24 12:00"), through: utc("2026-10-26 12:00"))
        #expect(runs == [utc("2026-10-25 00:30"), utc("2026-10-26 01:30")])
    }

    @Test("runs missed while the agent was down are coalesced into one run of the latest")
    func missedRuns() throws {
        let planner = SchedulePlanner(schedule: try schedule(.daily, ["09:00", "21:00"]))
        // The last run was for Monday 09:00; the agent comes back on Wednesday at 10:00.
        let decision = planner.decide(now: utc("2026-11-25 10:00"), lastScheduled: utc("2026-11-23 09:00"),
                                      since: utc("2026-11-01 00:00"))
        #expect(decision.due == utc("2026-11-25 09:00"))
        #expect(decision.missed == 3)  // Mon 21:00, Tue 09:00, Tue 21:00
        #expect(decision.next == utc("2026-11-25 21:00"))
    }

    @Test("nothing is due between runs, and a new goal does not run for times before it existed")
    func nothingDue() throws {
        let planner = SchedulePlanner(schedule: try schedule(.daily, ["09:00"]))
        let after = planner.decide(now: utc("2026-11-24 12:00"), lastScheduled: utc("2026-11-24 09:00"), since: utc("2026-11-01 00:00"))
        #expect(after.due == nil && after.missed == 0 && after.next == utc("2026-11-25 09:00"))
        let fresh = planner.decide(now: utc("2026-11-24 12:00"), lastScheduled: nil, since: utc("2026-11-24 10:00"))
        #expect(fresh.due == nil)
    }
}
