#if canImport(Glibc)
import Glibc
#endif
import FileIO

/// An ObjectStore in a local directory: one file per object, written to `tmp/` and published with link(2).
///
/// Layout under `root`:
/// ```
/// config                      the config object
/// keys/<name>                 index/<name>   recovery-points/<name>   locks/<name>
/// data/<first 2 hex>/<name>   256 subdirectories, created with the repository
/// tmp/                        temporary files, never listed; removed on open once older than an hour
/// ```
/// Files are created 0600 and directories 0700: objects are ciphertext, but key files and lock ids
/// are nobody else's business.
public final class FilesystemStore: ObjectStore {
    /// The repository directory.
    public let root: String
    let hasher: @Sendable ([UInt8]) -> String

    /// Temporary files older than this (in seconds) are left over from a crash and removed on open.
    public static let staleTemporaryAge = 3600

    static let fileMode: mode_t = 0o600
    static let directoryMode: mode_t = 0o700

    /// Makes the layout in `root` (creating it if needed) and opens the new repository.
    ///
    /// Refuses with `alreadyExists` a directory that already holds a repository (a config file).
    /// `hasher` returns the lowercase hex SHA-256 of its input; `put` uses it to verify content-addressed names.
    public static func create(
        root: String, hasher: @escaping @Sendable ([UInt8]) -> String
    ) throws(ObjectStoreError) -> FilesystemStore {
        let root = Self.normalize(root)
        if FileIO.exists(root + "/config") {
            throw ObjectStoreError(
                .alreadyExists,
                message: "\(root) already holds a repository (it has a config file); "
                    + "open it instead, or choose an empty directory for a new one"
            )
        }
        let directories = [root] + Self.layoutDirectories(root)
        for directory in directories {
            do throws(SystemError) {
                try FileIO.makeDirectories(directory, mode: directoryMode)
            } catch {
                throw Self.layoutError(error, root: root, doing: "create the repository in")
            }
        }
        do throws(SystemError) {
            try FileIO.syncDirectory(root + "/data")
            try FileIO.syncDirectory(root)
            try FileIO.syncDirectory(FileIO.parentDirectory(of: root))
        } catch {
            throw Self.layoutError(error, root: root, doing: "create the repository in")
        }
        return try FilesystemStore(root: root, hasher: hasher)
    }

    /// Opens the repository in `root`.
    ///
    /// Throws `notFound` if the directory does not exist and `unavailable` if its layout is incomplete.
    /// Removes temporary files that a crashed writer left behind more than `staleTemporaryAge` seconds
    /// before `now()` (seconds since the epoch); that clean-up is best effort and never fails the open.
    public init(
        root: String,
        hasher: @escaping @Sendable ([UInt8]) -> String,
        now: () -> Int = FilesystemStore.systemTime
    ) throws(ObjectStoreError) {
        let root = Self.normalize(root)
        self.root = root
        self.hasher = hasher
        try Self.checkLayout(root)
        removeStaleTemporaryFiles(olderThan: now() - Self.staleTemporaryAge)
    }

    /// The wall clock in seconds since the epoch; the default for `init(now:)`.
    public static func systemTime() -> Int { Int(time(nil)) }

    /// Where the object named by `key` lives (whether or not it exists).
    public func path(for key: ObjectKey) -> String {
        switch key.kind {
        case .config: root + "/config"
        case .data: root + "/data/" + key.name.prefix(2) + "/" + key.name
        default: root + "/" + key.kind.rawValue + "/" + key.name
        }
    }

    var temporaryDirectory: String { root + "/tmp" }

    static func layoutDirectories(_ root: String) -> [String] {
        let kinds = ObjectKind.allCases.filter { $0 != .config }.map { root + "/" + $0.rawValue }
        let dataPrefixes = (0..<256).map { root + "/data/" + hexByte($0) }
        return kinds + dataPrefixes + [root + "/tmp"]
    }

    private static func checkLayout(_ root: String) throws(ObjectStoreError) {
        do throws(SystemError) {
            _ = try FileIO.fileSize(root)
        } catch {
            if error.isNotFound {
                throw ObjectStoreError(
                    .notFound,
                    message: "no repository at \(root): the directory does not exist; "
                        + "check the path, or create a repository there first"
                )
            }
            throw layoutError(error, root: root, doing: "open the repository in")
        }
        guard FileIO.isDirectory(root) else {
            throw ObjectStoreError(
                .unavailable, message: "no repository at \(root): it is not a directory; check the path"
            )
        }
        for directory in layoutDirectories(root) {
            guard FileIO.isDirectory(directory) else {
                throw ObjectStoreError(
                    .unavailable,
                    message: "\(root) is not a complete repository: \(directory) is missing; "
                        + "check the path, or restore the repository directory from a full copy"
                )
            }
        }
    }

    private func removeStaleTemporaryFiles(olderThan cutoff: Int) {
        guard let names = try? FileIO.listDirectory(temporaryDirectory) else { return }
        for name in names {
            let path = temporaryDirectory + "/" + name
            guard let status = try? FileIO.status(path), status.modificationTime < cutoff else { continue }
            try? FileIO.removeTree(path)
        }
    }

    private static func normalize(_ root: String) -> String {
        var root = Substring(root)
        while root.count > 1 && root.hasSuffix("/") { root = root.dropLast() }
        return String(root)
    }

    private static func hexByte(_ value: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[value >> 4], digits[value & 0xf]])
    }
}
