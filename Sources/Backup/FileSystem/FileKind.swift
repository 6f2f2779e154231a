#if canImport(Glibc)
import Glibc
#endif

/// The type of a directory entry, with the raw values stored in recovery points (never renumber).
public enum FileKind: UInt8, Sendable, Codable {
    case regular = 1, directory, symlink, fifo, socket, characterDevice, blockDevice

    /// The kind encoded in the `S_IFMT` bits of `st_mode`, or nil for a type Linux does not have.
    public init?(mode: UInt32) {
        switch mode & UInt32(S_IFMT) {
        case UInt32(S_IFREG): self = .regular
        case UInt32(S_IFDIR): self = .directory
        case UInt32(S_IFLNK): self = .symlink
        case UInt32(S_IFIFO): self = .fifo
        case UInt32(S_IFSOCK): self = .socket
        case UInt32(S_IFCHR): self = .characterDevice
        case UInt32(S_IFBLK): self = .blockDevice
        default: return nil
        }
    }

    /// The `S_IFMT` bits for this kind, as `mknodat` wants them.
    public var typeBits: UInt32 {
        switch self {
        case .regular: UInt32(S_IFREG)
        case .directory: UInt32(S_IFDIR)
        case .symlink: UInt32(S_IFLNK)
        case .fifo: UInt32(S_IFIFO)
        case .socket: UInt32(S_IFSOCK)
        case .characterDevice: UInt32(S_IFCHR)
        case .blockDevice: UInt32(S_IFBLK)
        }
    }
}
