/// SourceSnapshots freezes a backup's sources at one instant where the filesystem allows it: a read-only btrfs
/// snapshot of each subvolume holding a source, taken when the backup starts and destroyed when it ends, with
/// `BackupOptions.readFrom` pointing each source into its snapshot. Sources elsewhere are read live, with the
/// reason recorded (`PointInTime`).
#if canImport(Glibc)
import Glibc
#endif
import FileIO

/// The snapshots of one backup. Not shared between threads: the job that takes them releases them.
public final class SourceSnapshots {
    /// The name of the folder holding Haven's snapshots at a subvolume's root; every backup leaves it out.
    public static let folderName = SnapshotFolder.name

    /// Recorded source path → the path inside its snapshot; for `BackupOptions.readFrom`.
    public private(set) var readFrom: [String: String] = [:]
    /// Patterns for `BackupOptions.excludes`: the snapshot folders, which must never be backed up.
    public let excludes = [SnapshotFolder.name]
    /// How each source is read, in the order of the paths given.
    public private(set) var pointsInTime: [PointInTime] = []
    /// Snapshots left by earlier backups that ended without removing them (a crash, kill -9), removed before these
    /// were taken; and stale ones that could not be removed ("path: error").
    public private(set) var removedStale: [String] = []
    public private(set) var staleProblems: [String] = []
    private var taken: [SnapshotFolder.Taken] = []

    /// Looks at each source's filesystem and, with `policy` auto, takes a read-only snapshot of each btrfs
    /// subvolume holding a source (one per subvolume, shared by its sources). `label` starts the snapshots' names
    /// ("job-12", "backup"). Never throws: a source that cannot be snapshotted is read live, and the reason says why.
    public init(paths: [String], policy: SnapshotPolicy, label: String) {
        var snapshots: [String: SnapshotFolder.Taken] = [:]
        var failures: [String: String] = [:]
        var cleaned: Set<String> = []
        for path in paths {
            let filesystem: SourceFilesystem
            do { filesystem = try SourceFilesystem.inspect(path) } catch {
                pointsInTime.append(PointInTime(path: path, method: .live, reason: "its filesystem could not be looked at: \(error)"))
                continue
            }
            guard policy == .auto else {
                pointsInTime.append(PointInTime(path: path, method: .live, reason: "snapshots are turned off"))
                continue
            }
            guard filesystem.isBtrfs else {
                pointsInTime.append(PointInTime(path: path, method: .live, reason: Self.liveReason(filesystem)))
                continue
            }
            guard let root = filesystem.subvolumeRoot else {
                pointsInTime.append(PointInTime(path: path, method: .live, reason: filesystem.subvolumeProblem))
                continue
            }
            let folder = SnapshotFolder(subvolumeRoot: root)
            if cleaned.insert(root).inserted {
                let stale = folder.removeStale()
                removedStale += stale.removed
                staleProblems += stale.problems
            }
            if snapshots[root] == nil, failures[root] == nil {
                do { snapshots[root] = try folder.take(label: label) } catch {
                    failures[root] = "a btrfs snapshot of \(root) could not be taken: \(error)"
                }
            }
            guard let snapshot = snapshots[root] else {
                pointsInTime.append(PointInTime(path: path, method: .live, reason: failures[root]))
                continue
            }
            let inside = root == "/" ? filesystem.realPath : String(filesystem.realPath.dropFirst(root.count))
            readFrom[path] = snapshot.path + (inside == "/" ? "" : inside)
            pointsInTime.append(PointInTime(path: path, method: .btrfsSnapshot))
        }
        taken = Array(snapshots.values)
    }

    /// The paths of the snapshots taken (for logs).
    public var snapshotPaths: [String] { taken.map(\.path).sorted() }

    /// Destroys every snapshot taken; returns what could not be destroyed, in words (the next backup or agent start
    /// removes those). Safe to call more than once.
    @discardableResult
    public func release() -> [String] {
        var problems: [String] = []
        for snapshot in taken {
            do { try snapshot.release() } catch {
                problems.append("the snapshot \(snapshot.path) could not be removed (\(error)); the next backup removes it")
            }
        }
        taken = []
        return problems
    }

    deinit { release() }

    /// Removes the snapshots that backups of `paths` left behind when they ended without removing them (their lock
    /// is free), e.g. when the agent starts. Returns the snapshots removed and what could not be removed.
    public static func removeStale(for paths: [String]) -> (removed: [String], problems: [String]) {
        var roots: Set<String> = []
        for path in paths {
            guard let filesystem = try? SourceFilesystem.inspect(path), filesystem.isBtrfs,
                  let root = filesystem.subvolumeRoot else { continue }
            roots.insert(root)
        }
        var removed: [String] = [], problems: [String] = []
        for root in roots.sorted() {
            let stale = SnapshotFolder(subvolumeRoot: root).removeStale()
            removed += stale.removed
            problems += stale.problems
        }
        return (removed, problems)
    }

    private static func liveReason(_ filesystem: SourceFilesystem) -> String {
        if let volume = filesystem.deviceMapperName {
            return filesystem.isLVM
                ? "LVM snapshots unavailable: this version of Haven does not take them (\(filesystem.type) on the LVM volume \(volume))"
                : "\(filesystem.type) on the device-mapper volume \(volume) has no snapshots Haven can take"
        }
        return "\(filesystem.type) has no snapshots"
    }
}
