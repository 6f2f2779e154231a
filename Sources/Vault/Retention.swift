import Foundation

/// How many daily, weekly, monthly and yearly recovery points to keep per item; all 0...9999.
public struct RetentionPolicy: Sendable, Equatable, Codable {
    public static let range = 0...9999

    public var daily: Int
    public var weekly: Int
    public var monthly: Int
    public var yearly: Int

    public init(daily: Int = 0, weekly: Int = 0, monthly: Int = 0, yearly: Int = 0) {
        self.daily = daily
        self.weekly = weekly
        self.monthly = monthly
        self.yearly = yearly
    }

    /// Whether `self` keeps less than `other` in any period, so storing it may delete points and needs a PIN.
    /// Any policy is lower than none (no policy keeps everything).
    public func isLower(than other: RetentionPolicy?) -> Bool {
        guard let other else { return true }
        return daily < other.daily || weekly < other.weekly || monthly < other.monthly || yearly < other.yearly
    }
}

/// Which recovery points of one item a retention policy keeps: a pure function of the points, the policy and now.
public enum Retention {
    /// One recovery point as retention sees it.
    public struct Point: Sendable, Equatable {
        public var id: String
        public var time: Date
        public var retainUntil: Date?
        /// Undeleted from the portal: kept until deleted again, never expired by retention.
        public var held: Bool

        public init(id: String, time: Date, retainUntil: Date? = nil, held: Bool = false) {
            self.id = id
            self.time = time
            self.retainUntil = retainUntil
            self.held = held
        }
    }

    /// The ids of the points to keep; every other point is to be soft-deleted.
    ///
    /// Keeps the newest point of each of the last `daily` days that have one, of the last `weekly` ISO weeks,
    /// `monthly` months and `yearly` years (UTC); every point whose `retainUntil` is after `now`; every held
    /// point; and always the newest point. With no policy (`nil`) every point is kept.
    public static func select(points: [Point], policy: RetentionPolicy?, now: Date) -> Set<String> {
        guard let policy else { return Set(points.map(\.id)) }
        let newestFirst = points.sorted { ($0.time, $0.id) > ($1.time, $1.id) }
        var keep = Set<String>()
        if let newest = newestFirst.first { keep.insert(newest.id) }
        for point in newestFirst where point.held || (point.retainUntil.map { $0 > now } ?? false) {
            keep.insert(point.id)
        }
        let buckets: [(Int, (Date) -> String)] = [
            (policy.daily, dayKey), (policy.weekly, isoWeekKey), (policy.monthly, monthKey), (policy.yearly, yearKey),
        ]
        for (count, key) in buckets where count > 0 {
            var seen = Set<String>()
            for point in newestFirst {
                let bucket = key(point.time)
                guard !seen.contains(bucket) else { continue }
                seen.insert(bucket)
                // The first point met in a bucket is its newest: newestFirst is sorted descending.
                keep.insert(point.id)
                if seen.count == count { break }
            }
        }
        return keep
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static func dayKey(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return "\(parts.year!)-\(parts.month!)-\(parts.day!)"
    }

    /// ISO 8601 week: weeks start on Monday and week 1 holds the year's first Thursday.
    static func isoWeekKey(_ date: Date) -> String {
        let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        return "\(parts.yearForWeekOfYear!)-W\(parts.weekOfYear!)"
    }

    static func monthKey(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month], from: date)
        return "\(parts.year!)-\(parts.month!)"
    }

    static func yearKey(_ date: Date) -> String {
        "\(calendar.component(.year, from: date))"
    }
}
