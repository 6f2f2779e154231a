/// Volume items: backed up only while their filesystem is mounted, and restored whole with their root at the target.
import Backup
import Foundation

extension AgentService {
    /// A volume is backed up only while a filesystem is mounted at its mount point: otherwise the mount point is an
    /// empty folder of another filesystem, and a recovery point of it would restore as an empty volume.
    func requireMounted(volume mountPoint: String) throws {
        guard MountTable.isMountPoint(mountPoint, in: MountTable.current()) else {
            throw AgentError(.invalidInput, "the volume \(mountPoint) is not mounted, so it was not backed up (its recovery points "
                + "are kept); mount its filesystem there, or remove the volume from the goal on Schedule backup")
        }
    }

    /// The warning a restore of a whole volume to its original location reports when no filesystem is mounted at the
    /// mount point now: the files went into the filesystem that holds that folder.
    func unmountedTargetWarning(_ mountPoint: String) -> String? {
        let mounts = MountTable.current()
        guard !MountTable.isMountPoint(mountPoint, in: mounts) else { return nil }
        let holder = MountTable.mount(containing: mountPoint, in: mounts)?.mountPoint ?? "/"
        return "\(mountPoint): no filesystem is mounted there now, so the volume was restored into the filesystem of \(holder)"
    }
}

extension AgentService {
    /// The mount point a whole-volume restore puts at the target: the item's name, for a point of a volume item.
    func volumeRoot(of item: (kind: String, name: String), paths: [String]) throws -> String {
        guard item.kind == "volume" else {
            throw AgentError(.invalidInput, field: "volume", "that recovery point is of \(item.kind == "files" ? "files and folders" : item.kind), "
                + "not of a volume: recover a whole volume from a point of a volume item (its item kind is volume)")
        }
        guard item.name.hasPrefix("/"), !item.name.utf8.contains(0) else {
            throw AgentError(.invalidInput, field: "volume", "the volume item's name \(String(reflecting: item.name)) is not a mount point")
        }
        for path in paths where !(path == item.name || path.hasPrefix(item.name == "/" ? "/" : item.name + "/")) {
            throw AgentError(.invalidInput, field: "paths", "\(path) is not on the volume \(item.name)")
        }
        return item.name
    }
}
