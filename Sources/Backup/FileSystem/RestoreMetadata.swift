import Repository
/// The owner, permissions, extended attributes and times restore puts back on an entry.
public struct RestoreMetadata: Sendable, Equatable {
    /// Owner to set, or nil to leave it (e.g. restoring as an unprivileged user by choice).
    public var uid: UInt32?
    public var gid: UInt32?
    /// Permission bits including setuid/setgid/sticky; ignored for symlinks, which have none on Linux.
    public var mode: UInt32?
    /// Set in order, each replacing any value already there; attributes not listed are left alone.
    /// ACLs are included as `system.posix_acl_*` attributes.
    public var xattrs: [ExtendedAttribute]
    public var mtimeSeconds: Int64
    public var mtimeNanoseconds: UInt32
    /// Access time to set, or nil to leave the one the restore itself produced.
    public var atimeSeconds: Int64?
    public var atimeNanoseconds: UInt32

    public init(
        uid: UInt32? = nil, gid: UInt32? = nil, mode: UInt32? = nil, xattrs: [ExtendedAttribute] = [],
        mtimeSeconds: Int64, mtimeNanoseconds: UInt32 = 0,
        atimeSeconds: Int64? = nil, atimeNanoseconds: UInt32 = 0
    ) {
        self.uid = uid
        self.gid = gid
        self.mode = mode
        self.xattrs = xattrs
        self.mtimeSeconds = mtimeSeconds
        self.mtimeNanoseconds = mtimeNanoseconds
        self.atimeSeconds = atimeSeconds
        self.atimeNanoseconds = atimeNanoseconds
    }
}
