#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// User and group names for ids (backup) and ids for names (restore onto another machine),
/// looked up once each through NSS and remembered, misses included.
///
/// Checked `Sendable` with no `@unchecked`: the maps live in a `Mutex`. Lookups run outside the
/// lock, so one slow NSS source (LDAP) does not serialise the archiver's threads; two threads
/// may look up the same id once each, which is harmless.
public final class NameCache: Sendable {
    private struct Maps {
        var users: [UInt32: String?] = [:]
        var groups: [UInt32: String?] = [:]
        var userIDs: [String: UInt32?] = [:]
        var groupIDs: [String: UInt32?] = [:]
    }

    private let maps = Mutex(Maps())

    public init() {}

    /// The name of user `uid`, or nil when the machine has no such user.
    public func userName(_ uid: UInt32) -> String? {
        if let known = maps.withLock({ $0.users[uid] }) { return known }
        let name = Self.lookup { record, buffer, size, result in
            var entry = passwd()
            let code = getpwuid_r(uid, &entry, buffer, size, &record)
            result = record == nil ? nil : String(cString: entry.pw_name)
            return code
        }
        maps.withLock { $0.users[uid] = .some(name) }
        return name
    }

    /// The name of group `gid`, or nil when the machine has no such group.
    public func groupName(_ gid: UInt32) -> String? {
        if let known = maps.withLock({ $0.groups[gid] }) { return known }
        let name = Self.lookup { record, buffer, size, result in
            var entry = group()
            let code = getgrgid_r(gid, &entry, buffer, size, &record)
            result = record == nil ? nil : String(cString: entry.gr_name)
            return code
        }
        maps.withLock { $0.groups[gid] = .some(name) }
        return name
    }

    /// The id of the user called `name` on this machine, or nil when there is none.
    public func userID(named name: String) -> UInt32? {
        if let known = maps.withLock({ $0.userIDs[name] }) { return known }
        let uid = Self.lookup { record, buffer, size, result in
            var entry = passwd()
            let code = getpwnam_r(name, &entry, buffer, size, &record)
            result = record == nil ? nil : entry.pw_uid
            return code
        }
        maps.withLock { $0.userIDs[name] = .some(uid) }
        return uid
    }

    /// The id of the group called `name` on this machine, or nil when there is none.
    public func groupID(named name: String) -> UInt32? {
        if let known = maps.withLock({ $0.groupIDs[name] }) { return known }
        let gid = Self.lookup { record, buffer, size, result in
            var entry = group()
            let code = getgrnam_r(name, &entry, buffer, size, &record)
            result = record == nil ? nil : entry.gr_gid
            return code
        }
        maps.withLock { $0.groupIDs[name] = .some(gid) }
        return gid
    }

    /// Calls a `get*_r` function with a scratch buffer, doubling it while the call answers ERANGE.
    /// The body reads the record's fields itself, while the buffer they point into is alive.
    /// Any other failure (NSS unreachable) counts as "unknown": a backup records the numeric id anyway.
    private static func lookup<Record, Value>(
        _ body: (inout UnsafeMutablePointer<Record>?, UnsafeMutablePointer<CChar>, Int, inout Value?) -> Int32
    ) -> Value? {
        var size = 1024
        while size <= 1 << 20 {
            var record: UnsafeMutablePointer<Record>?
            var value: Value?
            let code = withUnsafeTemporaryAllocation(of: CChar.self, capacity: size) { buffer in
                body(&record, buffer.baseAddress!, size, &value)
            }
            if code == ERANGE { size *= 2; continue }
            return code == 0 ? value : nil
        }
        return nil
    }
}
