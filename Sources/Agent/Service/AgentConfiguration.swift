/// AgentConfiguration is where the agent keeps its state and how it identifies this machine; RegistrationInfo is what
/// registration established.
import Foundation
import Glibc

/// Where the agent's files live and the machine facts it works with; set by `haven agent serve` from agent.conf.
public struct AgentConfiguration: Sendable {
    /// Holds agent.sqlite, the machine credential and the repository's master key (all private to the agent).
    public var stateDirectory: String
    /// Where packs are staged before upload; the Settings page can move it (AgentSettings.cacheDirectory wins).
    public var cacheDirectory: String
    /// The host name written into recovery points; the parent of a backup is looked up by it.
    public var hostname: String
    /// Threads reading and compressing files in a backup, and writing them in a restore.
    public var workerThreads: Int
    /// The machine's time zone: work hours of the throttle and the stamp of restored copies are local times.
    public var timeZone: TimeZone
    /// The user name written into recovery points.
    public var username: String
    /// How often the scheduler looks at the schedule.
    public var schedulerInterval: Duration
    /// The vault connection's retry policy; tests make it fail fast.
    public var retryAttempts: Int

    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
        cacheDirectory = stateDirectory + "/cache"
        hostname = Self.systemHostname()
        workerThreads = max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1)
        timeZone = .current
        username = Self.systemUsername()
        schedulerInterval = .seconds(30)
        retryAttempts = 6
    }

    static func systemHostname() -> String {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func systemUsername() -> String {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "uid \(geteuid())" }
        return String(cString: name)
    }
}

/// This machine's registration with a vault.
public struct RegistrationInfo: Sendable, Equatable {
    public var vaultId: String
    public var vaultName: String
    public var vaultAddress: String
    public var machineId: String
    public var machineName: String
    public var registeredAt: Date

    public init(vaultId: String, vaultName: String, vaultAddress: String, machineId: String, machineName: String, registeredAt: Date) {
        self.vaultId = vaultId
        self.vaultName = vaultName
        self.vaultAddress = vaultAddress
        self.machineId = machineId
        self.machineName = machineName
        self.registeredAt = registeredAt
    }
}
