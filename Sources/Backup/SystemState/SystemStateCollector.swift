/// SystemStateCollector owns collecting the system state into a staging folder: each component's command outputs and
/// listings, and the manifest saying how each was collected and what failed (docs/system-state.md).
import FileIO
import Foundation
import Glibc

/// Collects the system state of this machine. Pure collection: it runs read-only commands and reads files; the
/// archiver then backs up the staging folder (at `SystemStateManifest.virtualRoot`) and the live paths together.
public struct SystemStateCollector {
    public struct Configuration: Sendable {
        /// Emptied and filled with the outputs and `manifest.json`.
        public var stagingDirectory: String
        public var hostname: String
        /// RFC 3339 (UTC): the caller reads the clock.
        public var collectedAt: String
        /// Where disks are discovered (`docs/system-state.md`).
        public var blockDevices = "/sys/block"
        /// The disks whose partition tables are dumped (device paths or image files); nil discovers them.
        public var disks: [String]?
        /// Where tools are looked for; a tool found nowhere is "not present".
        public var searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        public var commandTimeout: TimeInterval = 120
        public var outputLimit = 256 << 20

        public init(stagingDirectory: String, hostname: String, collectedAt: String) {
            self.stagingDirectory = stagingDirectory
            self.hostname = hostname
            self.collectedAt = collectedAt
        }
    }

    let configuration: Configuration
    let runner: SystemCommand

    public init(configuration: Configuration) {
        self.configuration = configuration
        runner = SystemCommand(searchPath: configuration.searchPath, timeout: configuration.commandTimeout,
                               outputLimit: configuration.outputLimit)
    }

    /// Collects every component. Throws only when the staging folder cannot be prepared or the manifest written;
    /// what a component could not collect is recorded in the manifest.
    public func collect() throws -> SystemStateCollection {
        let staging = configuration.stagingDirectory
        do {
            // Made first, so its parent (the cache folder) exists for the removal to open.
            try FileIO.makeDirectories(staging, mode: 0o700)
            try FileIO.removeTree(staging)
            try FileIO.makeDirectories(staging, mode: 0o700)
        } catch {
            throw SystemStateError("cannot prepare the system state's staging folder \(staging): \(error); choose another cache "
                + "folder on the Settings page")
        }
        let components = [etc(), boot(), packages(), accounts(), schedules(), units(), storage(), network(), firewall()]
        let release = Self.osRelease()
        var name = utsname()
        uname(&name)
        let manifest = SystemStateManifest(
            hostname: configuration.hostname, collectedAt: configuration.collectedAt, os: release,
            kernel: Self.field(&name.release), architecture: Self.field(&name.machine), components: components)
        do {
            try FileIO.writeFileAtomically(staging + "/manifest.json", try manifest.encoded(), mode: 0o600, durable: false)
        } catch {
            throw SystemStateError("cannot write the system state manifest in \(staging): \(error)")
        }
        let live = components.flatMap { $0.paths.filter(\.present).map(\.path) }
        return SystemStateCollection(manifest: manifest, livePaths: Self.outermost(live), stagingDirectory: staging)
    }

    /// The paths not inside another one of the list, sorted.
    static func outermost(_ paths: [String]) -> [String] {
        let sorted = Set(paths).sorted()
        return sorted.filter { path in !sorted.contains { $0 != path && path.hasPrefix($0 + "/") } }
    }

    static func osRelease() -> String {
        guard let bytes = try? FileIO.readFile("/etc/os-release") else { return "unknown" }
        for line in String(decoding: bytes.prefix(65536), as: UTF8.self).split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"'")))
        }
        return "unknown"
    }

    static func field<T>(_ value: inout T) -> String {
        withUnsafeBytes(of: &value) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}

/// A finished collection: the manifest, and what the archiver must back up for one consistent recovery point.
public struct SystemStateCollection: Sendable {
    public var manifest: SystemStateManifest
    /// Live paths that exist, none inside another (`/etc`, `/boot/grub`, `/var/spool/cron`).
    public var livePaths: [String]
    public var stagingDirectory: String

    /// The archiver's sources: the live paths and the virtual root.
    public var archivePaths: [String] { livePaths + [SystemStateManifest.virtualRoot] }
    /// `BackupOptions.readFrom`: the virtual root is read from the staging folder.
    public var readFrom: [String: String] { [SystemStateManifest.virtualRoot: stagingDirectory] }

    /// Components that failed or are partial, as warnings for the job's report.
    public var warnings: [String] {
        manifest.components.filter { $0.status == .failed || $0.status == .partial }.map { component in
            "system state: \(component.title) \(component.status == .failed ? "failed" : "is partial")"
                + (component.message.map { ": " + $0 } ?? "")
        }
    }
}
