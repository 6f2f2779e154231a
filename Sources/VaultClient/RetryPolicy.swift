import HTTPClient

/// When a failed vault request is tried again, and how long to wait before it (exponential backoff).
public struct RetryPolicy: Sendable {
    /// How many times a request is sent at most, the first time included.
    public var attempts: Int
    /// The wait before the first retry, in seconds; it doubles for each further retry.
    public var initialDelay: Double
    /// The longest wait between two tries, in seconds.
    public var maximumDelay: Double

    /// 6 tries over about 15 seconds by default: long enough to ride out a restart of the vault.
    public init(attempts: Int = 6, initialDelay: Double = 0.5, maximumDelay: Double = 8) {
        self.attempts = max(1, attempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// No retries at all.
    public static let never = RetryPolicy(attempts: 1)

    /// The wait before retry number `retry` (1 for the first), with up to a fifth of random jitter so that
    /// many agents failing together do not come back together.
    public func delay(beforeRetry retry: Int) -> Double {
        let base = min(maximumDelay, initialDelay * Double(1 << min(max(retry - 1, 0), 30)))
        return base * Double.random(in: 0.8...1.0)
    }

    /// A status worth trying again: the vault is overloaded or failed in a way that may pass.
    /// A request that may not be repeated safely is retried only when the vault said it did not take it.
    static func isRetryable(status: Int, idempotent: Bool) -> Bool {
        if status == 429 || status == 503 { return true }
        guard idempotent else { return false }
        // 501 will not change, and 507 (the vault's disk is full) needs an administrator, not a retry.
        return (500...599).contains(status) && status != 501 && status != 507
    }

    /// A transport failure worth trying again: not a pinning or TLS failure, not an answer that is too large.
    /// A request that may not be repeated safely is retried only when it never reached the vault.
    static func isRetryable(_ error: HTTPClientError, idempotent: Bool) -> Bool {
        if error.code == .connectionRefused { return true }
        guard idempotent else { return false }
        return error.code == .timeout || error.code == .other
    }
}
