/// The agent API's settings and passphrase messages (docs/agent-api.md, Settings).

extension AgentAPI {
    /// The agent's settings; the SMTP password is never sent back.
    public struct Settings: Codable, Sendable, Equatable {
        public var cacheDirectory: String
        public var throttle: Throttle?
        public var proxy: String?
        public var webhookURL: String?
        public var smtp: SMTP?
    }

    /// Bandwidth limits: one during work hours on work days, one the rest of the time.
    public struct Throttle: Codable, Sendable, Equatable {
        public var workBytesPerSecond: Int
        public var otherBytesPerSecond: Int
        /// Lowercase English day names, e.g. "monday".
        public var workDays: [String]
        /// "HH:MM".
        public var workStart: String
        public var workEnd: String
    }

    /// Email notifications through an SMTP server.
    public struct SMTP: Codable, Sendable, Equatable {
        public var url: String
        public var from: String
        public var to: String
        public var username: String?
        /// Only in a `PUT`; absent keeps the stored one.
        public var password: String?
        /// Only in answers: whether a password is stored.
        public var hasPassword: Bool?
    }

    /// `POST /passphrase`.
    public struct PassphraseChange: Codable, Sendable, Equatable {
        public var current: String
        public var new: String
        public var securityPIN: String?
    }

    /// `PUT /goal/retention`: the four numbers and the PIN that lowering them needs.
    public struct RetentionChange: Codable, Sendable, Equatable {
        public var daily, weekly, monthly, yearly: Int
        public var securityPIN: String?

        public init(_ retention: Retention, securityPIN: String?) {
            daily = retention.daily
            weekly = retention.weekly
            monthly = retention.monthly
            yearly = retention.yearly
            self.securityPIN = securityPIN
        }
    }
}
