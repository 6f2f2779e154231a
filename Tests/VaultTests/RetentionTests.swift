/// Retention as a pure function: which points each policy keeps.
import Foundation
import Testing
import Vault

@Suite("Retention")
struct RetentionTests {
    let now = VaultTime.parse("2026-12-31T12:00:00Z")!

    func point(_ time: String, retainUntil: String? = nil, held: Bool = false) -> Retention.Point {
        Retention.Point(id: time, time: VaultTime.parse(time)!, retainUntil: retainUntil.flatMap(VaultTime.parse), held: held)
    }

    @Test("no policy keeps every point")
    func noPolicy() {
        let points = (10...20).map { point("2026-12-\($0)T10:00:00Z") }
        #expect(Retention.select(points: points, policy: nil, now: now) == Set(points.map(\.id)))
    }

    @Test("daily keeps the newest point of each of the last N days that have one")
    func daily() {
        let points = [point("2026-12-20T08:00:00Z"), point("2026-12-20T18:00:00Z"), point("2026-12-18T09:00:00Z"),
                      point("2026-12-15T09:00:00Z")]
        let kept = Retention.select(points: points, policy: RetentionPolicy(daily: 2), now: now)
        #expect(kept == ["2026-12-20T18:00:00Z", "2026-12-18T09:00:00Z"])
    }

    @Test("weekly buckets by ISO week: Sunday belongs to the week that began on Monday")
    func weekly() {
        // 2026-12-28 is a Monday; 2026-12-27 a Sunday; 2027-01-03 a Sunday in the same ISO week as 12-28.
        let points = [point("2027-01-03T10:00:00Z"), point("2026-12-28T10:00:00Z"), point("2026-12-27T10:00:00Z"),
                      point("2026-12-21T10:00:00Z"), point("2026-12-14T10:00:00Z")]
        let kept = Retention.select(points: points, policy: RetentionPolicy(weekly: 2), now: now)
        #expect(kept == ["2027-01-03T10:00:00Z", "2026-12-27T10:00:00Z"])
    }

    @Test("monthly and yearly keep the newest of each month and year")
    func monthlyYearly() {
        let points = [point("2026-12-05T10:00:00Z"), point("2026-11-30T10:00:00Z"), point("2026-11-01T10:00:00Z"),
                      point("2025-06-01T10:00:00Z"), point("2024-03-01T10:00:00Z"), point("2024-01-01T10:00:00Z")]
        #expect(Retention.select(points: points, policy: RetentionPolicy(monthly: 2), now: now)
            == ["2026-12-05T10:00:00Z", "2026-11-30T10:00:00Z"])
        #expect(Retention.select(points: points, policy: RetentionPolicy(yearly: 3), now: now)
            == ["2026-12-05T10:00:00Z", "2025-06-01T10:00:00Z", "2024-03-01T10:00:00Z"])
    }

    @Test("an all-zero policy keeps only the newest point, points with a future retainUntil, and held points")
    func newestRetainUntilHeld() {
        let points = [point("2026-12-20T10:00:00Z"), point("2026-12-10T10:00:00Z", retainUntil: "2027-01-01T00:00:00Z"),
                      point("2026-12-09T10:00:00Z", retainUntil: "2026-12-30T00:00:00Z"), point("2026-12-08T10:00:00Z", held: true),
                      point("2026-12-07T10:00:00Z")]
        #expect(Retention.select(points: points, policy: RetentionPolicy(), now: now)
            == ["2026-12-20T10:00:00Z", "2026-12-10T10:00:00Z", "2026-12-08T10:00:00Z"])
    }

    @Test("a policy is lower when any number drops, and any policy is lower than none")
    func lowering() {
        let policy = RetentionPolicy(daily: 7, weekly: 4, monthly: 12, yearly: 1)
        #expect(policy.isLower(than: nil))
        #expect(!RetentionPolicy(daily: 8, weekly: 4, monthly: 12, yearly: 1).isLower(than: policy))
        #expect(RetentionPolicy(daily: 30, weekly: 4, monthly: 11, yearly: 5).isLower(than: policy))
    }
}
