/// LoginRateLimiter owns counting failed sign-ins per client address and refusing more within a window.
import Foundation

/// Allows at most `maxFailures` failed attempts per client address within `window`.
///
/// `@unchecked Sendable`: `failures` is only read or changed while holding `lock`.
public final class LoginRateLimiter: @unchecked Sendable {
    /// The most failures allowed within the window.
    public let maxFailures: Int
    /// How far back failures count.
    public let window: Duration
    private let clock: WebClock
    private let lock = NSLock()
    private var failures: [String: [Date]] = [:]

    public init(maxFailures: Int = 5, window: Duration = .seconds(15 * 60), clock: @escaping WebClock) {
        self.maxFailures = maxFailures
        self.window = window
        self.clock = clock
    }

    /// Nil when `address` may try now; otherwise the seconds until it may (for `Retry-After`).
    public func retryAfter(for address: String) -> Int? {
        let now = clock()
        return lock.withLock {
            let recent = prune(address, now: now)
            guard recent.count >= maxFailures, let oldest = recent.first else { return nil }
            return max(1, Int((oldest.timeIntervalSince(now) + window.seconds).rounded(.up)))
        }
    }

    /// Counts a failed attempt from `address`.
    public func recordFailure(from address: String) {
        let now = clock()
        lock.withLock {
            var recent = prune(address, now: now)
            recent.append(now)
            failures[address] = recent
            if failures.count > 10_000 { failures = failures.filter { !$0.value.isEmpty } }
        }
    }

    /// Forgets the failures of `address` after it signed in.
    public func reset(_ address: String) {
        lock.withLock { failures[address] = nil }
    }

    /// The failures of `address` still inside the window; must be called holding `lock`.
    private func prune(_ address: String, now: Date) -> [Date] {
        let recent = (failures[address] ?? []).filter { now.timeIntervalSince($0) < window.seconds }
        failures[address] = recent.isEmpty ? nil : recent
        return recent
    }
}
