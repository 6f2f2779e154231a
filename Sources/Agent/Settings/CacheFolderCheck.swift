/// CacheFolderCheck decides whether a folder may hold the agent's cache: local, not removable, not on a network.
import Backup

/// The rule, apart from the machine so tests can give it any mount table.
public enum CacheFolderCheck {
    /// Why `path` cannot be the cache folder, or nil when it can.
    public static func problem(path: String, mounts: [Mount], isRemovable: (String) -> Bool) -> String? {
        guard path.hasPrefix("/") else { return "the cache folder must be an absolute path such as /var/cache/haven" }
        guard let mount = MountTable.mount(containing: path, in: mounts) else { return nil }
        if mount.isNetwork {
            return "\(path) is on a network filesystem (\(mount.type) at \(mount.mountPoint)); every pack would cross the network "
                + "twice: choose a folder on a local disk"
        }
        if isRemovable(mount.device) {
            return "\(path) is on a removable device (\(mount.device)); a cache there disappears when it is unplugged: choose a "
                + "folder on a fixed local disk"
        }
        return nil
    }
}
