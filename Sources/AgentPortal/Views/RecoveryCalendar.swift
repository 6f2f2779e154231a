/// RecoveryCalendar owns the month grid of the Recover data wizard: weeks of days, the days with recovery points marked.
import Foundation

/// One month as weeks (Monday first), in UTC like every time the portal shows.
struct RecoveryCalendar {
    /// "YYYY-MM".
    let month: String
    let title: String
    let previous: String
    let next: String
    /// Rows of seven cells: `{day, date, inMonth, hasPoints, count, selected}`.
    let weeks: [[[String: Any]]]

    /// - Parameters:
    ///   - month: "YYYY-MM" to show; an unparsable one shows the month of `fallback`.
    ///   - pointDays: "YYYY-MM-DD" → number of points that day.
    ///   - selected: the chosen "YYYY-MM-DD".
    init(month: String, fallback: Date, pointDays: [String: Int], selected: String) {
        let calendar = Self.calendar
        let parts = month.split(separator: "-").compactMap { Int($0) }
        var first = calendar.date(from: calendar.dateComponents([.year, .month], from: fallback))!
        if parts.count == 2, (1...12).contains(parts[1]), (1970...9999).contains(parts[0]),
           let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: 1)) {
            first = date
        }
        self.month = Self.monthKey(first)
        let names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                     "November", "December"]
        let components = calendar.dateComponents([.year, .month], from: first)
        title = "\(names[components.month! - 1]) \(components.year!)"
        previous = Self.monthKey(calendar.date(byAdding: .month, value: -1, to: first)!)
        next = Self.monthKey(calendar.date(byAdding: .month, value: 1, to: first)!)
        let weekday = calendar.component(.weekday, from: first)
        let lead = (weekday + 5) % 7
        let days = calendar.range(of: .day, in: .month, for: first)!.count
        var cells: [[String: Any]] = Array(repeating: ["inMonth": false], count: lead)
        for day in 1...days {
            let date = String(format: "%@-%02d", self.month, day)
            let count = pointDays[date] ?? 0
            cells.append(["inMonth": true, "day": day, "date": date, "hasPoints": count > 0, "count": count,
                          "selected": date == selected])
        }
        while cells.count % 7 != 0 { cells.append(["inMonth": false]) }
        weeks = stride(from: 0, to: cells.count, by: 7).map { Array(cells[$0..<$0 + 7]) }
    }

    /// "YYYY-MM-DD" of a time, in UTC.
    static func dayKey(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// "YYYY-MM" of a time, in UTC.
    static func monthKey(_ date: Date) -> String { String(dayKey(date).prefix(7)) }

    /// "14:05:09 UTC".
    static func timeOfDay(_ date: Date) -> String {
        let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d UTC", parts.hour!, parts.minute!, parts.second!)
    }

    private static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }
}
