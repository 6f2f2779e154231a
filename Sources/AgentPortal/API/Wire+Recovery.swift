/// The agent API's recovery messages: machines, recovery points, trees, searches, restores (docs/agent-api.md, Recovery).
import VaultProtocol

extension AgentAPI {
    /// `GET /machines`.
    public struct Machines: Codable, Sendable, Equatable {
        public var thisMachine: String?
        public var machines: [MachineSummary]
    }

    /// One recovery point of one item.
    public struct RecoveryPoint: Codable, Sendable, Equatable {
        public var id: String
        public var itemKind: String
        public var itemName: String
        public var time: String
        public var size: Int64
        public var retainUntil: String?
    }

    /// `GET /recovery-points`, `POST /recovery-points/query`: newest first.
    public struct RecoveryPoints: Codable, Sendable, Equatable {
        public var recoveryPoints: [RecoveryPoint]

        public init(recoveryPoints: [RecoveryPoint]) { self.recoveryPoints = recoveryPoints }
    }

    /// Whose data a call reads: absent `machine` is this one; another needs its `passphrase`.
    public struct MachineChoice: Codable, Sendable, Equatable {
        /// A machine's name or id.
        public var machine: String?
        public var passphrase: String?

        public init(machine: String?, passphrase: String?) {
            self.machine = machine
            self.passphrase = passphrase
        }
    }

    /// `POST /recovery-points/{id}/tree` and `/search`.
    public struct PointLookup: Codable, Sendable, Equatable {
        public var machine: String?
        public var passphrase: String?
        /// The folder to list (tree); default "/".
        public var path: String?
        /// The wildcard names must match (search).
        public var pattern: String?

        public init(machine: String? = nil, passphrase: String? = nil, path: String? = nil, pattern: String? = nil) {
            self.machine = machine
            self.passphrase = passphrase
            self.path = path
            self.pattern = pattern
        }
    }

    /// A file, folder, symlink or other entry, of this machine or of a recovery point.
    public struct Entry: Codable, Sendable, Equatable {
        public var path: String
        public var name: String
        /// `file`, `directory`, `symlink` or `other`.
        public var kind: String
        public var size: UInt64
        public var modified: String
    }

    /// `GET /directory`, trees and searches.
    public struct Entries: Codable, Sendable, Equatable {
        public var path: String?
        public var entries: [Entry]
    }

    /// A mounted filesystem.
    public struct Volume: Codable, Sendable, Equatable {
        public var mountPoint: String
        public var device: String
        public var type: String
        /// Bytes: the filesystem's size, used, and available to unprivileged users.
        public var size: UInt64
        public var used: UInt64
        public var available: UInt64
        public var readOnly: Bool
    }

    /// `GET /volumes`.
    public struct Volumes: Codable, Sendable, Equatable {
        public var volumes: [Volume]
    }

    /// `POST /restores`.
    public struct RestoreBody: Codable, Sendable, Equatable {
        public var recoveryPoint: String
        public var machine: String?
        public var passphrase: String?
        public var paths: [String]?
        /// `original`, or an absolute directory to restore under.
        public var target: String
        /// `copy` (default), `overwrite` or `skip`.
        public var conflict: String?
        /// Default true.
        public var restorePermissions: Bool?
        /// Recover the point's whole volume: its root is the target (`original`: its mount point). Default false.
        public var volume: Bool?

        public init(recoveryPoint: String, machine: String? = nil, passphrase: String? = nil, paths: [String] = [],
                    target: String, conflict: String = "copy", restorePermissions: Bool = true, volume: Bool? = nil) {
            self.volume = volume
            self.recoveryPoint = recoveryPoint
            self.machine = machine
            self.passphrase = passphrase
            self.paths = paths
            self.target = target
            self.conflict = conflict
            self.restorePermissions = restorePermissions
        }
    }
}
