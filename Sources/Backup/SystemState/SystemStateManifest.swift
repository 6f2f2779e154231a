/// SystemStateManifest owns the system state's `manifest.json` (docs/system-state.md): its components, how each was
/// collected and what failed, and the checks a manifest read back from a recovery point must pass.
import Foundation

/// What a system-state collection holds, recorded at `/.haven-system-state/manifest.json` in the recovery point.
public struct SystemStateManifest: Codable, Sendable, Equatable {
    public static let formatName = "haven-system-state"
    /// Where the collected outputs and the manifest are recorded inside a recovery point.
    public static let virtualRoot = "/.haven-system-state"
    public static let manifestPath = virtualRoot + "/manifest.json"
    /// The largest manifest a reader accepts.
    public static let maxSize = 1 << 20

    public var format = SystemStateManifest.formatName
    public var version = 1
    public var hostname: String
    /// RFC 3339, UTC.
    public var collectedAt: String
    public var os: String
    public var kernel: String
    public var architecture: String
    public var components: [Component]

    public init(hostname: String, collectedAt: String, os: String, kernel: String, architecture: String, components: [Component]) {
        self.hostname = hostname
        self.collectedAt = collectedAt
        self.os = os
        self.kernel = kernel
        self.architecture = architecture
        self.components = components
    }

    /// How complete a component or one of its steps is.
    public enum Status: String, Codable, Sendable, Equatable {
        case ok
        case partial
        /// The machine has none of it (the tool is not installed, the files do not exist): not an error.
        case notPresent = "not-present"
        case failed

        /// An unknown status from an untrusted manifest is shown as failed.
        public init(from decoder: any Decoder) throws {
            self = Status(rawValue: try decoder.singleValueContainer().decode(String.self)) ?? .failed
        }
    }

    /// A live file or folder a component names, and whether it existed.
    public struct PathRecord: Codable, Sendable, Equatable {
        public var path: String
        public var present: Bool

        public init(path: String, present: Bool) {
            self.path = path
            self.present = present
        }
    }

    /// A command run for a component: its output file inside the recovery point and how it ended.
    public struct CommandRecord: Codable, Sendable, Equatable {
        public var arguments: [String]
        public var output: String
        public var status: Status
        /// Absent when the command did not run or was killed.
        public var exitStatus: Int32?
        /// The end of its standard error, or why it did not run.
        public var message: String?

        public init(arguments: [String], output: String, status: Status, exitStatus: Int32?, message: String?) {
            self.arguments = arguments
            self.output = output
            self.status = status
            self.exitStatus = exitStatus
            self.message = message
        }
    }

    /// An output the agent wrote itself by reading files (a listing, a copy of /proc/cmdline).
    public struct GeneratedRecord: Codable, Sendable, Equatable {
        public var output: String
        /// What it was made from, in words.
        public var source: String
        public var status: Status
        public var message: String?

        public init(output: String, source: String, status: Status, message: String?) {
            self.output = output
            self.source = source
            self.status = status
            self.message = message
        }
    }

    public struct Component: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        public var description: String
        public var status: Status
        public var message: String?
        public var paths: [PathRecord]
        public var commands: [CommandRecord]
        public var generated: [GeneratedRecord]

        public init(id: String, title: String, description: String, status: Status, message: String?, paths: [PathRecord],
                    commands: [CommandRecord], generated: [GeneratedRecord]) {
            self.id = id
            self.title = title
            self.description = description
            self.status = status
            self.message = message
            self.paths = paths
            self.commands = commands
            self.generated = generated
        }

        /// Every path in the recovery point this component's data is at: its present live paths and its outputs' folder.
        public var recordedPaths: [String] {
            let outputs = commands.contains { $0.status != .notPresent } || generated.contains { $0.status != .failed }
            return paths.filter(\.present).map(\.path) + (outputs ? [SystemStateManifest.virtualRoot + "/" + id] : [])
        }
    }

    /// The manifest as JSON, keys sorted so equal manifests are equal bytes.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// Reads a manifest from untrusted bytes (a recovery point may be another machine's, damaged or crafted), with
    /// every limit of docs/system-state.md checked.
    public static func decode(_ bytes: [UInt8]) throws -> SystemStateManifest {
        guard bytes.count <= maxSize else {
            throw SystemStateError("the system state manifest is \(bytes.count) bytes, more than the \(maxSize) a manifest may be")
        }
        let manifest: SystemStateManifest
        do { manifest = try JSONDecoder().decode(SystemStateManifest.self, from: Data(bytes)) } catch {
            throw SystemStateError("the system state manifest is not valid JSON of the expected shape: \(error)")
        }
        try manifest.validate()
        return manifest
    }

    static let maxComponents = 64
    static let maxSteps = 4096
    static let maxString = 4096

    func validate() throws {
        guard format == Self.formatName else {
            throw SystemStateError("the manifest's format is \(String(reflecting: String(format.prefix(64)))), not \(Self.formatName)")
        }
        guard version == 1 else {
            throw SystemStateError("the system state manifest is version \(version); this Haven reads version 1: update Haven")
        }
        guard components.count <= Self.maxComponents else {
            throw SystemStateError("the manifest lists \(components.count) components, more than \(Self.maxComponents)")
        }
        let steps = components.reduce(0) { $0 + $1.paths.count + $1.commands.count + $1.generated.count }
        guard steps <= Self.maxSteps else { throw SystemStateError("the manifest lists \(steps) paths and commands, more than \(Self.maxSteps)") }
        for text in [hostname, collectedAt, os, kernel, architecture] { try Self.check(text) }
        var ids: Set<String> = []
        for component in components {
            guard Self.isIdentifier(component.id), ids.insert(component.id).inserted else {
                throw SystemStateError("the manifest has a component id that is not 1 to 32 of a-z, 0-9 and -, or is repeated: "
                    + String(reflecting: String(component.id.prefix(40))))
            }
            for text in [component.title, component.description, component.message ?? ""] { try Self.check(text) }
            for path in component.paths { try Self.checkPath(path.path, inside: nil) }
            for command in component.commands {
                try Self.checkPath(command.output, inside: Self.virtualRoot)
                guard command.arguments.count <= 64 else { throw SystemStateError("a command of the manifest has more than 64 arguments") }
                for text in command.arguments + [command.message ?? ""] { try Self.check(text) }
            }
            for output in component.generated {
                try Self.checkPath(output.output, inside: Self.virtualRoot)
                for text in [output.source, output.message ?? ""] { try Self.check(text) }
            }
        }
    }

    static func isIdentifier(_ text: String) -> Bool {
        (1...32).contains(text.utf8.count) && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    static func check(_ text: String) throws {
        guard text.utf8.count <= maxString, !text.utf8.contains(0) else {
            throw SystemStateError("the manifest holds a text longer than \(maxString) bytes or with a NUL byte")
        }
    }

    /// Absolute, without empty, "." or ".." components or NUL, and below `root` when given.
    static func checkPath(_ path: String, inside root: String?) throws {
        try check(path)
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard path.hasPrefix("/"), path != "/", !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw SystemStateError("the manifest names the path \(String(reflecting: String(path.prefix(200)))), which is not a clean absolute path")
        }
        if let root, !path.hasPrefix(root + "/") {
            throw SystemStateError("the manifest names the output \(String(reflecting: String(path.prefix(200)))) outside \(root)")
        }
    }
}

/// A system state collection or a System State file could not be made or read; the message says why and what to do.
public struct SystemStateError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
