import Foundation

/// The two written forms of a time the vault uses: RFC 3339 in UTC with whole seconds on the wire, and a short human form in messages.
public enum VaultTime {
    /// "2026-11-24T18:00:00Z".
    public static func rfc3339(_ date: Date) -> String {
        let (y, mo, d, h, mi, s) = parts(date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s)
    }

    /// "2026-11-26 10:00 UTC", for messages people read.
    public static func human(_ date: Date) -> String {
        let (y, mo, d, h, mi, _) = parts(date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", y, mo, d, h, mi)
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SSZ` (the API's form); nil for anything else, including impossible dates.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              bytes[19] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month - 1)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(hour)
        fields.tm_min = Int32(minute)
        fields.tm_sec = Int32(second)
        let seconds = timegm(&fields)
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        // timegm normalizes 2026-02-31 to March; such a date is not what was written.
        return rfc3339(date) == text ? date : nil
    }

    /// Whole seconds since the epoch, as the database stores times.
    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    private static func parts(_ date: Date) -> (Int, Int, Int, Int, Int, Int) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var fields = tm()
        gmtime_r(&seconds, &fields)
        return (Int(fields.tm_year) + 1900, Int(fields.tm_mon) + 1, Int(fields.tm_mday), Int(fields.tm_hour),
                Int(fields.tm_min), Int(fields.tm_sec))
    }
}
