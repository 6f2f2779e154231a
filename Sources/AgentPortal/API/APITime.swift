/// APITime owns the agent API's one time format: RFC 3339 in UTC with whole seconds ("2026-11-24T18:00:00Z").
import Foundation

/// Formats and parses the API's times.
public enum APITime {
    /// "2026-11-24T18:00:00Z" (fractions of a second are dropped).
    public static func format(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(.iso8601)
    }

    /// The time of "YYYY-MM-DDTHH:MM:SSZ" (optionally with a fraction); nil for anything else, including offsets other than Z.
    public static func parse(_ text: String) -> Date? {
        guard text.utf8.count >= 20, text.utf8.count <= 40, text.hasSuffix("Z"), !text.contains(" ") else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
