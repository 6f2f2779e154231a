/// The agent API's system state endpoints (docs/agent-api.md, System state): the components of a system-state
/// recovery point, and its System State file.
import Agent
import Foundation
import HTTPServer

extension AgentAPI {
    /// `GET|POST /recovery-points/{id}/system-state`.
    public struct SystemState: Codable, Sendable, Equatable {
        public var recoveryPoint: String
        public var hostname: String
        public var collectedAt: String?
        public var os: String
        public var kernel: String
        public var architecture: String
        public var fileName: String
        public var components: [Component]

        public struct Component: Codable, Sendable, Equatable {
            public var id: String
            public var title: String
            public var description: String
            /// `ok`, `partial`, `not-present` or `failed`.
            public var status: String
            public var message: String?
            public var files: Int
            public var bytes: UInt64
            public var paths: [Path]
            public var commands: [Command]
        }

        public struct Path: Codable, Sendable, Equatable {
            public var path: String
            public var present: Bool
        }

        public struct Command: Codable, Sendable, Equatable {
            public var command: String
            public var status: String
            public var exitStatus: Int32?
            public var message: String?
        }

        init(_ info: SystemStateInfo) {
            recoveryPoint = info.recoveryPoint
            hostname = info.hostname
            collectedAt = info.collectedAt.map(APITime.format)
            os = info.os
            kernel = info.kernel
            architecture = info.architecture
            fileName = info.fileName
            components = info.components.map { component in
                Component(id: component.id, title: component.title, description: component.description, status: component.status,
                          message: component.message, files: component.files, bytes: component.bytes,
                          paths: component.paths.map { Path(path: $0.path, present: $0.present) },
                          commands: component.commands.map { Command(command: $0.command, status: $0.status, exitStatus: $0.exitStatus,
                                                                     message: $0.message) })
            }
        }
    }

    func systemState(_ point: String, _ choice: MachineChoice) throws -> HTTPServer.Response {
        let info = try service.systemState(machine: try machineId(choice.machine), passphrase: choice.passphrase, point: point)
        return Self.json(SystemState(info))
    }

    /// The System State file, streamed (`application/gzip`).
    func systemStateFile(_ point: String, _ choice: MachineChoice) throws -> HTTPServer.Response {
        let file = try service.systemStateFile(machine: try machineId(choice.machine), passphrase: choice.passphrase, point: point)
        let safe = String(file.fileName.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        return HTTPServer.Response(fileDescriptor: file.descriptor, length: file.size, headers: [
            "Content-Type": "application/gzip", "Content-Disposition": "attachment; filename=\"\(safe)\"",
        ])
    }
}
