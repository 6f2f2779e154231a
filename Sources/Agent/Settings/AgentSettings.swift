/// AgentSettings is what the Settings page edits: the cache folder, bandwidth throttling, the proxy and notifications.
import Foundation

/// The agent's settings, stored in SQLite.
public struct AgentSettings: Codable, Sendable, Equatable {
    /// Where packs are staged before upload: local, not removable, not on a network (see `CacheFolderCheck`).
    public var cacheDirectory: String
    /// Upload and download limits; nil: no limit.
    public var throttle: Throttle?
    /// "http://host:port" (or socks5h://…); nil: from the environment (http_proxy, https_proxy, no_proxy).
    public var proxy: String?
    /// Receives a JSON POST on failed jobs and critical operations.
    public var webhookURL: String?
    /// Email notifications through libcurl.
    public var smtp: SMTPSettings?

    /// Bandwidth limits, as MARS sets them: one during work hours on work days, another the rest of the time.
    public struct Throttle: Codable, Sendable, Equatable {
        public var workBytesPerSecond: Int
        public var otherBytesPerSecond: Int
        public var workDays: Set<Weekday>
        public var workStart: TimeOfDay
        public var workEnd: TimeOfDay

        public init(workBytesPerSecond: Int, otherBytesPerSecond: Int, workDays: Set<Weekday>, workStart: TimeOfDay, workEnd: TimeOfDay) {
            self.workBytesPerSecond = workBytesPerSecond
            self.otherBytesPerSecond = otherBytesPerSecond
            self.workDays = workDays
            self.workStart = workStart
            self.workEnd = workEnd
        }

        /// The limit in force at `date` in `timeZone`: work hours are [workStart, workEnd) on a work day.
        public func bytesPerSecond(at date: Date, in timeZone: TimeZone) -> Int {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
            guard let weekday = parts.weekday.flatMap(Weekday.init(rawValue:)), workDays.contains(weekday),
                  let now = TimeOfDay(hour: parts.hour ?? 0, minute: parts.minute ?? 0) else { return otherBytesPerSecond }
            return workStart <= now && now < workEnd ? workBytesPerSecond : otherBytesPerSecond
        }
    }

    /// An SMTP server and the addresses of notification mails.
    public struct SMTPSettings: Codable, Sendable, Equatable {
        /// "smtp://host:25", "smtp://host:587" (STARTTLS when offered) or "smtps://host:465".
        public var url: String
        public var from: String
        public var to: String
        public var username: String?
        public var password: String?

        public init(url: String, from: String, to: String, username: String? = nil, password: String? = nil) {
            self.url = url
            self.from = from
            self.to = to
            self.username = username
            self.password = password
        }
    }

    public init(cacheDirectory: String, throttle: Throttle? = nil, proxy: String? = nil, webhookURL: String? = nil,
                smtp: SMTPSettings? = nil) {
        self.cacheDirectory = cacheDirectory
        self.throttle = throttle
        self.proxy = proxy
        self.webhookURL = webhookURL
        self.smtp = smtp
    }
}
