/// A clock tests move by hand, for sessions, rate limits and relative times.
import Foundation

/// `@unchecked Sendable`: `current` is only touched under `lock`.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) {
        current = start
    }

    var now: Date { lock.withLock { current } }

    func advance(_ duration: Duration) {
        lock.withLock { current += Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
    }

    var read: @Sendable () -> Date { { [self] in now } }
}
