#if canImport(Glibc)
import Glibc
#endif

/// Linux constants and functions that Swift's Glibc module leaves out, because it neither defines
/// `_GNU_SOURCE` nor includes `<sys/xattr.h>`.
///
/// The constants are the kernel ABI values, identical on x86_64 and aarch64. The xattr functions are
/// looked up once with `dlsym` and called through `@convention(c)` pointers, which is the C calling
/// convention, so no C shim target is needed.
enum LinuxCalls {
    static let openNoAccessTime: Int32 = 0o1_000_000  // O_NOATIME
    static let seekData: Int32 = 3  // SEEK_DATA
    static let seekHole: Int32 = 4  // SEEK_HOLE
    static let timeOmit: Int = (1 << 30) - 2  // UTIME_OMIT

    typealias PathList = @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int) -> Int
    typealias PathGet = @convention(c) (
        UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeMutableRawPointer?, Int
    ) -> Int
    typealias PathSet = @convention(c) (
        UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeRawPointer?, Int, Int32
    ) -> Int32
    typealias FDList = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int
    typealias FDGet = @convention(c) (Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?, Int) -> Int
    typealias FDSet = @convention(c) (Int32, UnsafePointer<CChar>?, UnsafeRawPointer?, Int, Int32) -> Int32

    // Looked up once, on first use; nil only on a libc without xattr support.
    static let llistxattr: PathList? = symbol("llistxattr")
    static let lgetxattr: PathGet? = symbol("lgetxattr")
    static let lsetxattr: PathSet? = symbol("lsetxattr")
    static let flistxattr: FDList? = symbol("flistxattr")
    static let fgetxattr: FDGet? = symbol("fgetxattr")
    static let fsetxattr: FDSet? = symbol("fsetxattr")

    /// Whether `/proc/self/fd` is there; name-based xattr calls reach entries through it.
    static let hasProcSelfFD: Bool = access("/proc/self/fd", F_OK) == 0

    private static func symbol<F>(_ name: String) -> F? {
        // A nil handle is RTLD_DEFAULT on glibc: search the libraries already loaded (libc).
        guard let address = dlsym(nil, name) else { return nil }
        return unsafeBitCast(address, to: F.self)
    }

    /// `/proc/self/fd/<fd>/<name>` as a C string: a path that reaches `name` inside the directory open
    /// as `fd` without resolving any component the restore target could have swapped for a symlink
    /// (the `l*xattr` calls do not follow the last component).
    static func withEntryPath<R, E: Error>(
        fd: Int32, name: [UInt8], _ body: (UnsafePointer<CChar>) throws(E) -> R
    ) throws(E) -> R {
        let path = Array("/proc/self/fd/\(fd)/".utf8) + name
        return try withCName(path, body)
    }
}
