/// Format owns how views show sizes, times and durations to people: "1.3 GB", "3 minutes ago", "1 h 05 min".
import Foundation

/// Human forms of numbers and dates for pages. Sizes use decimal units (1 kB = 1000 B), as disks are sold.
public enum Format {
    /// "512 B", "1.3 kB", "12 MB", "1.3 GB": three significant digits at most, one decimal below 10.
    public static func size(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        guard bytes >= 1000 || bytes <= -1000 else { return "\(bytes) B" }
        var value = Double(bytes)
        var unit = 0
        while abs(value) >= 999.95, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        let text = abs(value) < 9.95 ? String(format: "%.1f", value) : String(format: "%.0f", value)
        return "\(text) \(units[unit])"
    }

    /// "12.5 MB/s".
    public static func rate(bytesPerSecond: Double) -> String {
        size(Int64(bytesPerSecond.rounded())) + "/s"
    }

    /// "2026-11-24 18:00 UTC" (or with the zone's abbreviation).
    public static func time(_ date: Date, timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> String {
        let parts = calendar(timeZone).dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let zone = timeZone.identifier == "UTC" || timeZone.identifier == "GMT" ? "UTC" : timeZone.abbreviation(for: date) ?? timeZone.identifier
        return String(format: "%04d-%02d-%02d %02d:%02d ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!) + zone
    }

    /// "2026-11-24".
    public static func date(_ date: Date, timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> String {
        let parts = calendar(timeZone).dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// "just now", "3 minutes ago", "in 2 hours", "5 days ago"; past a month, the date.
    public static func relative(_ date: Date, now: Date) -> String {
        let seconds = now.timeIntervalSince(date)
        let magnitude = abs(seconds)
        guard magnitude >= 45 else { return "just now" }
        let (count, unit): (Int, String) =
            switch magnitude {
            case ..<(90 * 60): (max(1, Int((magnitude / 60).rounded())), "minute")
            case ..<(36 * 3600): (Int((magnitude / 3600).rounded()), "hour")
            case ..<(30 * 86400): (Int((magnitude / 86400).rounded()), "day")
            default: (0, "")
            }
        guard count > 0 else { return self.date(date) }
        let phrase = "\(count) \(unit)\(count == 1 ? "" : "s")"
        return seconds >= 0 ? "\(phrase) ago" : "in \(phrase)"
    }

    /// "42 s", "3 min 12 s", "1 h 05 min", "2 d 3 h".
    public static func duration(_ duration: Duration) -> String {
        let total = max(0, Int(duration.components.seconds))
        let (days, hours, minutes, seconds) = (total / 86400, total % 86400 / 3600, total % 3600 / 60, total % 60)
        if days > 0 { return "\(days) d \(hours) h" }
        if hours > 0 { return String(format: "%d h %02d min", hours, minutes) }
        if minutes > 0 { return "\(minutes) min \(seconds) s" }
        return "\(seconds) s"
    }

    private static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }
}
