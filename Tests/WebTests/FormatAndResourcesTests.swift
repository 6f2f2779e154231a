/// Human sizes, times and durations; finding the resources folder; the password hash.
import Foundation
import Testing
import Web

@Suite("Formatting and resources")
struct FormatAndResourcesTests {
    @Test("sizes read as people say them, in decimal units")
    func sizes() {
        #expect(Format.size(0) == "0 B")
        #expect(Format.size(512) == "512 B")
        #expect(Format.size(999) == "999 B")
        #expect(Format.size(1000) == "1.0 kB")
        #expect(Format.size(1_300_000_000) == "1.3 GB")
        #expect(Format.size(12_345_678) == "12 MB")
        #expect(Format.size(999_960) == "1.0 MB")
        #expect(Format.size(2_500_000_000_000) == "2.5 TB")
        #expect(Format.rate(bytesPerSecond: 12_600_000) == "13 MB/s")
    }

    @Test("times are absolute in UTC or relative to a given now")
    func times() {
        let date = Date(timeIntervalSince1970: 1_795_543_200) // 2026-11-24 18:00 UTC
        #expect(Format.time(date) == "2026-11-24 18:00 UTC")
        #expect(Format.date(date) == "2026-11-24")
        #expect(Format.time(date, timeZone: TimeZone(identifier: "Europe/Paris")!) == "2026-11-24 19:00 GMT+1")
        #expect(Format.relative(date, now: date + 10) == "just now")
        #expect(Format.relative(date, now: date + 180) == "3 minutes ago")
        #expect(Format.relative(date, now: date + 60) == "1 minute ago")
        #expect(Format.relative(date, now: date - 7200) == "in 2 hours")
        #expect(Format.relative(date, now: date + 5 * 86400) == "5 days ago")
        #expect(Format.relative(date, now: date + 90 * 86400) == "2026-11-24")
    }

    @Test("durations show the two largest units")
    func durations() {
        #expect(Format.duration(.seconds(42)) == "42 s")
        #expect(Format.duration(.seconds(192)) == "3 min 12 s")
        #expect(Format.duration(.seconds(3900)) == "1 h 05 min")
        #expect(Format.duration(.seconds(2 * 86400 + 3 * 3600 + 5)) == "2 d 3 h")
    }

    @Test("resources come from the explicit folder, then $HAVEN_RESOURCES, then the nearest checkout above the executable")
    func locate() throws {
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let empty = NSTemporaryDirectory() + "web-empty-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }

        #expect(try Resources.locate(explicit: checkout, environment: [:], executablePath: nil).root == checkout)
        #expect(throws: WebError.self) { try Resources.locate(explicit: empty, environment: [:], executablePath: nil) }
        #expect(try Resources.locate(environment: ["HAVEN_RESOURCES": checkout], executablePath: nil).templates == checkout + "/templates")
        #expect(throws: WebError.self) { try Resources.locate(environment: ["HAVEN_RESOURCES": empty], executablePath: nil) }
        let fromBuild = try Resources.locate(environment: [:], executablePath: checkout + "/.build/release/haven")
        #expect(fromBuild.root == checkout)
        #expect(try Resources.locate(environment: [:]).root == checkout)
        if !FileManager.default.fileExists(atPath: Resources.systemRoot) {
            do {
                _ = try Resources.locate(environment: [:], executablePath: empty + "/bin/haven")
                Issue.record("found resources where there are none")
            } catch {
                #expect(error.code == .resourcesNotFound)
                #expect(error.message.contains("HAVEN_RESOURCES"))
            }
        }
    }

    @Test("password hashes are salted, carry their parameters and verify only the right password")
    func passwordHash() throws {
        let hasher = PasswordHasher(logN: 4, r: 1, p: 1)
        let first = try hasher.hash("a long enough password")
        let second = try hasher.hash("a long enough password")
        #expect(first != second)
        #expect(first.hasPrefix("scrypt$4$1$1$"))
        #expect(PasswordHasher.verify("a long enough password", against: first))
        #expect(!PasswordHasher.verify("a long enough passworD", against: first))
        #expect(!PasswordHasher.verify("a long enough password", against: "scrypt$4$1$1$zz$zz"))
    }
}
