/// Settings and the overview: the cache folder, throttling, proxy and notifications, checked before they are kept;
/// and the portal's first page with its alerts.
import Backup
import FileIO
import Foundation
import Glibc

extension AgentService {
    /// The slowest throttle accepted: below it a backup of any size never ends.
    public static let minimumThrottle = 8 << 10

    /// The stored settings, or the defaults (the configuration's cache folder, no limits, no notifications).
    public func settings() throws -> AgentSettings {
        guard let text: String = try database.query("SELECT value FROM settings WHERE name = 'agent_settings'").first?.get("value") else {
            return AgentSettings(cacheDirectory: configuration.cacheDirectory)
        }
        do { return try JSONDecoder().decode(AgentSettings.self, from: Data(text.utf8)) } catch {
            throw AgentError(.io, "the stored settings cannot be read (\(error)); save them again on the Settings page")
        }
    }

    /// Checks and stores the settings. The cache folder is created if needed and must be local: not on a network
    /// filesystem (nfs, cifs, smb3, sshfs and other FUSE filesystems), not on a removable device.
    public func saveSettings(_ settings: AgentSettings) throws {
        try validate(settings)
        do { try FileIO.makeDirectories(settings.cacheDirectory, mode: 0o700) } catch {
            throw AgentError(.invalidInput, field: "cacheDirectory", "cannot create the cache folder \(settings.cacheDirectory): \(error)")
        }
        if let problem = CacheFolderCheck.problem(path: Self.resolved(settings.cacheDirectory), mounts: MountTable.current(),
                                                   isRemovable: { MountTable.isRemovable(device: $0) }) {
            throw AgentError(.invalidInput, field: "cacheDirectory", problem)
        }
        let text = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        try database.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('agent_settings', ?)", [.text(text)])
    }

    private func validate(_ settings: AgentSettings) throws {
        guard settings.cacheDirectory.hasPrefix("/"), !settings.cacheDirectory.utf8.contains(0) else {
            throw AgentError(.invalidInput, field: "cacheDirectory", "the cache folder must be an absolute path such as /var/cache/haven")
        }
        if let throttle = settings.throttle {
            guard throttle.workBytesPerSecond >= Self.minimumThrottle, throttle.otherBytesPerSecond >= Self.minimumThrottle else {
                throw AgentError(.invalidInput, field: "throttle", "a bandwidth limit must be at least \(Self.minimumThrottle >> 10) KB/s")
            }
            guard !throttle.workDays.isEmpty, throttle.workStart < throttle.workEnd else {
                throw AgentError(.invalidInput, field: "throttle", "work hours need at least one work day and a start before the end")
            }
        }
        if let proxy = settings.proxy {
            let schemes = ["http://", "https://", "socks5://", "socks5h://"]
            guard schemes.contains(where: proxy.lowercased().hasPrefix), proxy.count > 8, !proxy.contains(" ") else {
                throw AgentError(.invalidInput, field: "proxy", "a proxy is an address such as http://proxy.example:3128; got \(String(reflecting: proxy))")
            }
        }
        if let url = settings.webhookURL {
            guard url.lowercased().hasPrefix("http://") || url.lowercased().hasPrefix("https://"), !url.contains(" ") else {
                throw AgentError(.invalidInput, field: "webhookURL", "the webhook must be an http:// or https:// address")
            }
        }
        if let smtp = settings.smtp {
            guard smtp.url.lowercased().hasPrefix("smtp://") || smtp.url.lowercased().hasPrefix("smtps://") else {
                throw AgentError(.invalidInput, field: "smtp", "the mail server must be smtp://host:port or smtps://host:port")
            }
            guard smtp.from.contains("@"), smtp.to.contains("@") else {
                throw AgentError(.invalidInput, field: "smtp", "give the sender's and the recipient's email addresses")
            }
        }
    }

    /// The path with symlinks resolved, so the check sees the filesystem the data lands on.
    static func resolved(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The portal's first page: registration, last and next backup, protected size, and what needs attention.
    public func overview() throws -> Overview {
        let registration = registration()
        var alerts: [Overview.Alert] = []
        if registration == nil {
            alerts.append(.init(severity: "info", message: "This machine is not registered with a vault yet: register it with a "
                + "vault credentials file to start protecting it."))
        } else if try state.masterKey() == nil {
            alerts.append(.init(severity: "critical", message: "The repository's key is missing: register the machine again "
                + "(take over) with its passphrase, or backups cannot run."))
        }
        let goal = try self.goal()
        if registration != nil, goal == nil {
            alerts.append(.init(severity: "info", message: "No backup is scheduled: choose what to protect on Schedule backup."))
        }
        for job in try Self.mapping({ try jobStore.lastFinishedBackupPerItem() }) where job.state == .failed {
            alerts.append(.init(severity: "critical", message: "The last backup of \(job.itemName) failed: \(job.failureReason ?? "see job \(job.id)")"))
        }
        // Every backup compares metadata until the change journal exists (issue 5); only an interruption is news.
        for item in goal?.items ?? [] {
            if let reason = try goals.unoptimizedReason(kind: item.kind, name: item.name) {
                alerts.append(.init(severity: "warning", message: "The next backup of \(item.name) runs unoptimized: \(reason)."))
            }
        }
        if let goal { alerts += try seedAlerts(goal) }
        let protected = try catalog.protectedBytes()
        let cache = try settings().cacheDirectory
        var space = statvfs()
        if protected > 0, statvfs(cache, &space) == 0 {
            let free = UInt64(space.f_bavail) * UInt64(space.f_frsize)
            if free < protected / 20 {
                alerts.append(.init(severity: "warning", message: "The cache folder \(cache) has \(free >> 20) MiB free, under 5% "
                    + "of the \(protected >> 20) MiB protected: free space there or move it on the Settings page."))
            }
        }
        return Overview(registration: registration, lastBackup: try Self.mapping { try jobStore.lastFinishedBackup() },
                        nextBackup: try Scheduler(database: database, clock: clock).nextRun(), protectedBytes: protected,
                        alerts: alerts, journal: try journalOverview(goal: goal))
    }
}
