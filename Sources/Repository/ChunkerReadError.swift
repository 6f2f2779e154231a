#if canImport(Glibc)
import Glibc
#endif

/// ChunkReadError owns the ways reading a file for chunking can fail.

/// A failure of `ChunkReader`: a failed `pread`, a file that shrank while it was read, or a
/// range that cannot be in a file.
public struct ChunkReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// `pread` failed; `errno` says why.
        case readFailed
        /// The file ended before a range did: it shrank or was truncated while being read.
        case fileChanged
        /// A range starts below offset 0.
        case invalidRange
    }

    public let code: Code
    /// The errno of a failed `pread`; 0 for the other codes.
    public let errno: Int32
    /// The file offset the failing read started at.
    public let offset: Int
    /// What happened and what to do.
    public let message: String

    public init(code: Code, errno: Int32 = 0, offset: Int, message: String) {
        self.code = code
        self.errno = errno
        self.offset = offset
        self.message = message
    }

    static func readFailed(errno: Int32, offset: Int) -> ChunkReadError {
        let reason = String(cString: strerror(errno))
        return ChunkReadError(
            code: .readFailed, errno: errno, offset: offset,
            message: "reading at offset \(offset) failed: \(reason); check the disk and the file's permissions, then back up again")
    }

    static func fileChanged(offset: Int, expectedEnd: Int) -> ChunkReadError {
        ChunkReadError(
            code: .fileChanged, offset: offset,
            message: "the file ended at offset \(offset) but was expected to reach \(expectedEnd): it shrank while being read; it is backed up on the next run")
    }

    public var description: String { message }
}
