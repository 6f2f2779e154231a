/// Session owns what the portal knows about one browser: its CSRF token, whether it signed in, and a pending message.
import Foundation

/// The clock the portal reads; injected so tests can move time (sessions, rate limits, relative times).
public typealias WebClock = @Sendable () -> Date

/// One browser's session as loaded for a request.
public struct Session: Sendable, Equatable {
    /// The secret cookie value (64 hex digits: 32 random bytes); only its SHA-256 is stored.
    public let id: String
    /// The token every form of this session must carry in `_csrf` (or the `X-CSRF-Token` header).
    public let csrfToken: String
    /// True once the administrator signed in with this session.
    public let isAuthenticated: Bool
    /// When the session was created; it ends `Configuration.sessionLifetime` later whatever happens.
    public let createdAt: Date
    /// When it was last used; it ends after `Configuration.sessionIdleTimeout` without use.
    public let lastSeenAt: Date
}

/// A one-time message shown on the next page: "Vault created.", "Wrong password."
public struct Flash: Sendable, Equatable {
    /// How the message is styled.
    public enum Kind: String, Sendable {
        case success, info, warning, error
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A green message.
    public static func success(_ message: String) -> Flash { Flash(.success, message) }
    /// A neutral message.
    public static func info(_ message: String) -> Flash { Flash(.info, message) }
    /// An amber message.
    public static func warning(_ message: String) -> Flash { Flash(.warning, message) }
    /// A red message.
    public static func error(_ message: String) -> Flash { Flash(.error, message) }
}
