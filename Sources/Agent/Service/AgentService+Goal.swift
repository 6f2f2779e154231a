/// The backup goal: what to protect and when (kept in SQLite), its retention (kept in the vault), and the machine's
/// volumes and folders the portal's source picker shows.
import Backup
import FileIO
import Foundation
import Glibc
import VaultClient
import VaultProtocol

extension AgentService {
    /// The backup goal, nil when none was set.
    public func goal() throws -> BackupGoal? {
        try Self.mapping { try goals.goal()?.goal }
    }

    /// Saves the goal. Its retention is stored in the vault first, where it is applied; storing a policy that keeps
    /// fewer points than the vault's (or a first one: until then the vault keeps everything) needs a security PIN.
    public func saveGoal(_ goal: BackupGoal, securityPIN: String?) throws {
        try Self.mapping { try goal.validateCommands() }
        let credential = try requireCredential()
        let session = try session(credential)
        let wanted = RetentionPolicyBody(daily: goal.retention.daily, weekly: goal.retention.weekly,
                                         monthly: goal.retention.monthly, yearly: goal.retention.yearly)
        try Self.mapping {
            if try session.policy() != wanted {
                let pin = securityPIN.flatMap { $0.isEmpty ? nil : $0 }
                do { try session.setPolicy(wanted, securityPIN: pin) } catch let error as VaultClientError where error.vaultCode == "destroy_forbidden" {
                    throw AgentError(.needsPIN, field: "securityPIN", "this retention lets the vault delete recovery points it keeps "
                        + "today, so it needs a security PIN: generate one in the vault portal (Security PIN) and enter it with the goal")
                }
            }
            try goals.save(goal)
        }
        journal.watch(paths: goal.paths + goal.volumes)
        worker.wake()
    }

    /// The mounted filesystems a goal can protect as volumes, with size and use (`MountTable.volumes` says what is
    /// left out: kernel, memory and network filesystems, bind mounts).
    public func volumes() throws -> [VolumeInfo] {
        MountTable.volumes(in: MountTable.current()).map(VolumeInfo.init)
    }

    /// Whether a filesystem is mounted at `mountPoint` now (a goal's volume that is not listed may just be unmounted).
    public func isMounted(_ mountPoint: String) -> Bool {
        MountTable.isMountPoint(mountPoint, in: MountTable.current())
    }

    /// The entries of a folder of this machine, folders first, for the source picker.
    public func listDirectory(_ path: String) throws -> [BrowseEntry] {
        guard path.hasPrefix("/"), !path.utf8.contains(0) else {
            throw AgentError(.invalidInput, field: "path", "give an absolute path such as /srv; got \(String(reflecting: path))")
        }
        let names: [String]
        do { names = try FileIO.listDirectory(path) } catch {
            throw AgentError(error.isNotFound ? .notFound : .io, field: "path", "cannot list \(path): \(error)")
        }
        let base = path.hasSuffix("/") ? path : path + "/"
        let entries = names.compactMap { name -> BrowseEntry? in
            var status = stat()
            guard lstat(base + name, &status) == 0 else { return nil }
            return BrowseEntry(path: base + name, name: name, kind: Self.kind(ofMode: status.st_mode), size: UInt64(status.st_size),
                               modified: Date(timeIntervalSince1970: TimeInterval(status.st_mtim.tv_sec)))
        }
        return entries.sorted(by: BrowseEntry.foldersFirst)
    }

    static func kind(ofMode mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "file"
        case S_IFDIR: "directory"
        case S_IFLNK: "symlink"
        default: "other"
        }
    }
}
