import Foundation

/// Counts failed authentications per client address and refuses an address that failed too often recently.
///
/// `@unchecked Sendable`: `failures` is only touched while holding `lock`.
final class AuthFailureLimiter: @unchecked Sendable {
    let maxFailures: Int
    let windowSeconds: TimeInterval
    private let clock: @Sendable () -> Date
    private let lock = NSLock()
    private var failures: [String: [Date]] = [:]

    init(maxFailures: Int, windowSeconds: TimeInterval, clock: @escaping @Sendable () -> Date) {
        self.maxFailures = maxFailures
        self.windowSeconds = windowSeconds
        self.clock = clock
    }

    /// When the address may try again, or nil when it may try now.
    func blockedUntil(_ address: String) -> Date? {
        let now = clock()
        return lock.withLock {
            let recent = (failures[address] ?? []).filter { now.timeIntervalSince($0) < windowSeconds }
            failures[address] = recent.isEmpty ? nil : recent
            guard recent.count >= maxFailures, let oldest = recent.first else { return nil }
            return oldest.addingTimeInterval(windowSeconds)
        }
    }

    func recordFailure(_ address: String) {
        let now = clock()
        lock.withLock {
            // Bounded memory under a flood of addresses: forget stale entries once the table grows.
            if failures.count > 10_000 {
                failures = failures.filter { $0.value.contains { now.timeIntervalSince($0) < windowSeconds } }
            }
            failures[address, default: []].append(now)
        }
    }
}
