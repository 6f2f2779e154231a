import Glibc

/// RFC 3339 times in UTC as the vault API writes them ("2026-11-24T18:00:00Z"), to and from seconds since the epoch.
enum RFC3339 {
    /// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.fraction]Z"; nil for anything else.
    static func seconds(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")]
        guard separators.allSatisfy({ bytes[$0.0] == UInt8(ascii: $0.1.unicodeScalars.first!) }),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        if bytes.count > 20 {
            guard bytes[19] == UInt8(ascii: "."), bytes.count > 21, number(20..<bytes.count - 1) != nil else { return nil }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Int(timegm(&parts))
    }

    /// "2026-11-24T18:00:00Z".
    static func format(_ seconds: Int) -> String {
        let parts = components(seconds)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.0, parts.1, parts.2, parts.3, parts.4, parts.5)
    }

    /// "2026-11-24 18:00 UTC", for messages.
    static func human(_ seconds: Int) -> String {
        let parts = components(seconds)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", parts.0, parts.1, parts.2, parts.3, parts.4)
    }

    /// The same time with whole seconds, as the API wants it; nil when `text` is not RFC 3339 in UTC.
    static func wholeSeconds(_ text: String) -> String? { seconds(text).map(format) }

    private static func components(_ seconds: Int) -> (Int, Int, Int, Int, Int, Int) {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return (Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min),
                Int(parts.tm_sec))
    }
}
