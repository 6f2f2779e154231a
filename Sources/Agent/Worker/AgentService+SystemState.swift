/// The system state on the agent's side (docs/system-state.md): collecting it before its backup, what a system-state
/// recovery point holds, and the System State file made from one (this machine's or another's).
import Backup
import FileIO
import Foundation
import Glibc
import Repository

extension AgentService {
    static let systemStateReason = "the system state is compared file by file at every backup: its lists are generated anew and the "
        + "change journal does not watch /etc"

    /// Collects the system state into the cache folder; the backup then archives it with the live paths.
    func collectSystemState() throws -> SystemStateCollection {
        let cache = try settings().cacheDirectory
        let configuration = SystemStateCollector.Configuration(
            stagingDirectory: cache + "/system-state", hostname: configuration.hostname, collectedAt: Timestamp.format(clock()))
        do { return try SystemStateCollector(configuration: configuration).collect() } catch let error as SystemStateError {
            throw AgentError(.io, error.message)
        }
    }

    /// A system-state backup reads the staging folder at its fixed path, keeps every file (no exclusions) and lists
    /// every directory (the journal does not watch these paths).
    func prepareSystemStateBackup(_ collection: SystemStateCollection, _ options: inout BackupOptions, firstBackup: Bool,
                                  reason: inout String) {
        options.readFrom = collection.readFrom
        options.excludes = []
        options.changedDirectories = nil
        options.multiLinkDirectories = []
        if !firstBackup { reason = Self.systemStateReason }
    }

    /// A system-state point is never restored over the running system.
    static func refuseSystemStateOverRunningSystem(itemKind: String, target: RestoreRequest.Target) throws {
        guard itemKind == "system-state", case .original = target else { return }
        throw AgentError(.invalidInput, field: "target", "the system state is never applied over the running system: restore it to "
            + "a folder (such as /srv/system-state) and copy back what you need, or download the System State file, whose README "
            + "says how to apply each component")
    }

    /// The components of a system-state recovery point and what each holds.
    public func systemState(machine: String?, passphrase: String?, point: String) throws -> SystemStateInfo {
        let credential = try requireCredential()
        let repository = try repository(machine: otherMachine(machine, credential), passphrase: passphrase, credential: credential)
        return try Self.mapping {
            let reader = SystemStatePoint(repository: repository, point: try repository.recoveryPoint(id: point))
            let manifest = try Self.systemStateManifest(reader)
            return SystemStateInfo(
                recoveryPoint: reader.point.id, hostname: manifest.hostname, collectedAt: Timestamp.parse(manifest.collectedAt),
                os: manifest.os, kernel: manifest.kernel, architecture: manifest.architecture,
                fileName: reader.fileName(hostname: manifest.hostname) + ".tar.gz",
                components: try manifest.components.map { component in
                    let contents = try reader.contents(of: component)
                    return SystemStateInfo.Component(component, files: contents.files, bytes: contents.bytes)
                })
        }
    }

    /// Writes the System State file of a recovery point to an unlinked file in the cache folder and hands back its
    /// open descriptor (the caller owns it and must close it; the file disappears then).
    public func systemStateFile(machine: String?, passphrase: String?, point: String) throws -> SystemStateFile {
        let credential = try requireCredential()
        let repository = try repository(machine: otherMachine(machine, credential), passphrase: passphrase, credential: credential)
        let cache = try settings().cacheDirectory
        // Read and write: the file is written, then read back by whoever sends it.
        let path = cache + "/.system-state-file-" + String(UInt64.random(in: .min ... .max), radix: 16)
        let descriptor: Int32
        do {
            try FileIO.makeDirectories(cache, mode: 0o700)
            descriptor = try FileIO.call("open", path: path) { open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
        } catch {
            throw AgentError(.io, "cannot write the System State file in the cache folder \(cache): \(error); choose another one on the "
                + "Settings page")
        }
        try? FileIO.removeFile(path)
        do {
            let reader = SystemStatePoint(repository: repository, point: try Self.mapping { try repository.recoveryPoint(id: point) })
            _ = try Self.systemStateManifest(reader)
            var size: UInt64 = 0
            let summary = try Self.mapping {
                try reader.writeFile { bytes in
                    try FileIO.writeAll(fd: descriptor, bytes, path: path)
                    size += UInt64(bytes.count)
                }
            }
            guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw AgentError(.io, "cannot read back the System State file: \(SystemError.current("lseek"))") }
            return SystemStateFile(descriptor: descriptor, size: size, fileName: summary.name + ".tar.gz", files: summary.files)
        } catch {
            close(descriptor)
            throw error
        }
    }

    private static func systemStateManifest(_ reader: SystemStatePoint) throws -> SystemStateManifest {
        do { return try reader.manifest() } catch let error as SystemStateError {
            throw AgentError(.invalidInput, field: "recoveryPoint", error.message)
        }
    }
}

/// What a system-state recovery point holds, for the portal and the API.
public struct SystemStateInfo: Sendable, Equatable {
    public var recoveryPoint: String
    public var hostname: String
    public var collectedAt: Date?
    public var os: String
    public var kernel: String
    public var architecture: String
    /// The System State file's name.
    public var fileName: String
    public var components: [Component]

    public struct Component: Sendable, Equatable {
        public var id: String
        public var title: String
        public var description: String
        /// "ok", "partial", "not-present" or "failed".
        public var status: String
        public var message: String?
        /// Live paths named, with whether each existed.
        public var paths: [(path: String, present: Bool)]
        /// Each command as one line, with its status and message.
        public var commands: [(command: String, status: String, exitStatus: Int32?, message: String?)]
        /// Outputs the agent made by reading files.
        public var generated: [(source: String, status: String, message: String?)]
        /// Regular files and their bytes in the recovery point.
        public var files: Int
        public var bytes: UInt64

        init(_ component: SystemStateManifest.Component, files: Int, bytes: UInt64) {
            id = component.id
            title = component.title
            description = component.description
            status = component.status.rawValue
            message = component.message
            paths = component.paths.map { ($0.path, $0.present) }
            commands = component.commands.map { ($0.arguments.joined(separator: " "), $0.status.rawValue, $0.exitStatus, $0.message) }
            generated = component.generated.map { ($0.source, $0.status.rawValue, $0.message) }
            self.files = files
            self.bytes = bytes
        }

        public static func == (a: Component, b: Component) -> Bool {
            a.id == b.id && a.status == b.status && a.message == b.message && a.files == b.files && a.bytes == b.bytes
                && a.paths.map(\.path) == b.paths.map(\.path) && a.commands.map(\.command) == b.commands.map(\.command)
        }
    }
}

/// A System State file ready to send: an open descriptor of an unlinked file, positioned at its start.
public struct SystemStateFile: Sendable {
    /// Owned by the receiver, who must close it.
    public var descriptor: Int32
    public var size: UInt64
    /// `haven-system-state-HOST-YYYYMMDD-HHMMSS.tar.gz`.
    public var fileName: String
    public var files: Int
}
