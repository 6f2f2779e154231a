/// Major and minor device numbers and their packing into a Linux `dev_t`.
public struct DeviceNumber: Sendable, Equatable, Codable {
    public var major: UInt32
    public var minor: UInt32

    public init(major: UInt32, minor: UInt32) {
        self.major = major
        self.minor = minor
    }

    /// Splits a `dev_t` the way glibc's `gnu_dev_major`/`gnu_dev_minor` do (the macros are not
    /// visible from Swift): 12 low major bits at 8..<20, the rest of the major at 44..<64,
    /// 8 low minor bits at 0..<8, the rest of the minor at 20..<44.
    public init(rdev: UInt64) {
        major = UInt32(truncatingIfNeeded: ((rdev >> 32) & 0xFFFF_F000) | ((rdev >> 8) & 0x0FFF))
        minor = UInt32(truncatingIfNeeded: ((rdev >> 12) & 0xFFFF_FF00) | (rdev & 0xFF))
    }

    /// The packed `dev_t`, as `mknodat` wants it (glibc's `gnu_dev_makedev`).
    public var rdev: UInt64 {
        let major = UInt64(major), minor = UInt64(minor)
        return ((major & 0xFFFF_F000) << 32) | ((major & 0x0FFF) << 8)
            | ((minor & 0xFFFF_FF00) << 12) | (minor & 0xFF)
    }
}
