/// SchedulePlanner turns a schedule and the clock into the instants backups are due, across daylight-saving
/// changes and periods when the agent was not running.
import Foundation

/// What the scheduler should do now.
public struct ScheduleDecision: Sendable, Equatable {
    /// The scheduled instant to run for now, if one is due (the latest one that passed, when several did).
    public var due: Date?
    /// How many scheduled instants passed unrun before `due` (the agent was down or busy); they are not run
    /// one by one, since one backup covers them all.
    public var missed: Int
    /// The next scheduled instant after now.
    public var next: Date?
}

/// Pure scheduling arithmetic; no timers, no I/O.
///
/// Daylight-saving rules, in the schedule's time zone: a time that does not exist on a day (the clock jumps
/// from 02:00 to 03:00 and the schedule says 02:30) runs at the instant the clock jumps; a time that occurs
/// twice (the clock goes back from 03:00 to 02:00) runs once, at its first occurrence.
public struct SchedulePlanner: Sendable {
    public let schedule: BackupSchedule
    private let calendar: Calendar

    public init(schedule: BackupSchedule) {
        self.schedule = schedule
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: schedule.timeZoneIdentifier) ?? .gmt
        self.calendar = calendar
    }

    /// The scheduled instants in `(start, end]`, oldest first.
    public func occurrences(after start: Date, through end: Date) -> [Date] {
        var result: [Date] = []
        var day = calendar.startOfDay(for: start)
        while day <= end {
            let weekday = Weekday(rawValue: calendar.component(.weekday, from: day)) ?? .sunday
            if schedule.runs(on: weekday) {
                for time in schedule.times {
                    if let instant = instant(of: time, onDayStarting: day), instant > start, instant <= end {
                        result.append(instant)
                    }
                }
            }
            guard let nextDay = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = calendar.startOfDay(for: nextDay)
        }
        return result.sorted()
    }

    /// The first scheduled instant strictly after `date`.
    public func next(after date: Date) -> Date? {
        // Weekly schedules recur within 8 days; a DST day can shift an instant by at most a few hours.
        occurrences(after: date, through: date.addingTimeInterval(9 * 86_400)).first
    }

    /// What is due at `now`, given the last scheduled instant that was run (or skipped on purpose);
    /// nil when the schedule never ran, in which case only instants after `since` count (the goal's creation).
    public func decide(now: Date, lastScheduled: Date?, since: Date) -> ScheduleDecision {
        let from = max(lastScheduled ?? since, since)
        let passed = occurrences(after: from, through: now)
        return ScheduleDecision(due: passed.last, missed: max(passed.count - 1, 0), next: next(after: now))
    }

    /// The instant a local time of day falls on, on the day starting at `dayStart`.
    private func instant(of time: TimeOfDay, onDayStarting dayStart: Date) -> Date? {
        let wanted = DateComponents(hour: time.hour, minute: time.minute)
        // Searching from just before the day's start finds the time on this day; `.nextTime` maps a time
        // inside a DST gap to the instant the gap ends, `.first` picks the first of a repeated hour.
        guard let found = calendar.nextDate(
            after: dayStart.addingTimeInterval(-1), matching: wanted, matchingPolicy: .nextTime,
            repeatedTimePolicy: .first, direction: .forward)
        else { return nil }
        return calendar.isDate(found, inSameDayAs: dayStart) ? found : nil
    }
}
