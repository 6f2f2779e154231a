import Glibc
import Repository

/// The real clock and the machine's identity, read here in the composition root and handed down.
enum SystemClock {
    /// Now, as RFC 3339 UTC with nanoseconds: "2026-11-24T15:23:00.123456789Z".
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(now.tv_nsec))
    }

    /// Local "YYYY-MM-DD HH-MM", the stamp MARS puts on restored copies.
    static func copyStamp() -> String {
        var seconds = time(nil)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02d %02d-%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min))
    }

    /// Seconds on the monotonic clock.
    static func monotonic() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    static func identity() -> WriterIdentity {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        var user = "uid \(geteuid())"
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { user = cString(name) }
        return WriterIdentity(time: timestamp(), hostname: host.withUnsafeBufferPointer { cString($0.baseAddress!) }, username: user)
    }

    private static func cString(_ pointer: UnsafePointer<CChar>) -> String {
        String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
    }

    static var processors: Int { max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1) }
}
