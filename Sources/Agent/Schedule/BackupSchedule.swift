/// BackupSchedule is when a backup goal runs: daily up to three times a day, or weekly on chosen days.
import Foundation

/// A local time of day, minute precision, as the user picks it in the portal.
public struct TimeOfDay: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let hour: Int
    public let minute: Int

    /// Fails for anything outside 00:00–23:59.
    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// Parses "HH:MM" (24-hour clock).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) }),
              let hour = Int(parts[0]), let minute = Int(parts[1]) else { return nil }
        self.init(hour: hour, minute: minute)
    }

    public var description: String {
        (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }

    public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool { (a.hour, a.minute) < (b.hour, b.minute) }
}

/// A day of the week, numbered as Foundation's Gregorian calendar does (Sunday = 1).
public enum Weekday: Int, Codable, Sendable, CaseIterable, Comparable {
    case sunday = 1, monday, tuesday, wednesday, thursday, friday, saturday

    public var name: String { String(describing: self).capitalized }

    public static func < (a: Weekday, b: Weekday) -> Bool { a.rawValue < b.rawValue }
}

/// When backups of one goal run, in the machine's time zone.
public struct BackupSchedule: Codable, Sendable, Equatable {
    public enum Frequency: Codable, Sendable, Equatable {
        /// Every day at each of `times`.
        case daily
        /// On each of the given days at each of `times`.
        case weekly(Set<Weekday>)
    }

    /// As MARS allows: at most three backups a day.
    public static let maximumTimesPerDay = 3

    public let frequency: Frequency
    /// Sorted, without duplicates, one to three entries.
    public let times: [TimeOfDay]
    /// An IANA time zone identifier, e.g. "Europe/Berlin"; the times are wall-clock times there.
    public let timeZoneIdentifier: String

    /// Validates the schedule and says what is wrong in words a portal can show next to the field.
    public init(frequency: Frequency, times: [TimeOfDay], timeZoneIdentifier: String) throws(ScheduleError) {
        let unique = Array(Set(times)).sorted()
        guard !unique.isEmpty else { throw ScheduleError("choose at least one time of day for the backup") }
        guard unique.count <= Self.maximumTimesPerDay else {
            throw ScheduleError("a backup can run at most \(Self.maximumTimesPerDay) times a day; \(unique.count) times were chosen")
        }
        if case .weekly(let days) = frequency, days.isEmpty {
            throw ScheduleError("choose at least one day of the week for a weekly backup")
        }
        guard TimeZone(identifier: timeZoneIdentifier) != nil else {
            throw ScheduleError("unknown time zone \(String(reflecting: timeZoneIdentifier)); use an IANA name such as Europe/Berlin")
        }
        self.frequency = frequency
        self.times = unique
        self.timeZoneIdentifier = timeZoneIdentifier
    }

    /// Whether the schedule has runs on a day of this weekday.
    func runs(on weekday: Weekday) -> Bool {
        switch frequency {
        case .daily: true
        case .weekly(let days): days.contains(weekday)
        }
    }

    /// In words, for the portal: "Daily at 09:00, 21:00" or "Weekly on Monday, Friday at 22:30".
    public var summary: String {
        let at = times.map(\.description).joined(separator: ", ")
        switch frequency {
        case .daily: return "Daily at \(at)"
        case .weekly(let days): return "Weekly on \(days.sorted().map(\.name).joined(separator: ", ")) at \(at)"
        }
    }
}

/// A schedule the user entered that cannot run, with the reason.
public struct ScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
