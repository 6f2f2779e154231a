import Foundation
import VaultProtocol

/// The values the vault service hands out: what the API turns into JSON and what the portal shows.

/// A vault with its usage.
public struct VaultInfo: Sendable, Equatable {
    public var id: String
    public var name: String
    public var createdAt: Date
    /// Bytes of every object of every machine of the vault.
    public var bytes: Int64
    /// Registered machines (unregistered ones keep their data but are not counted).
    public var machines: Int
    /// Live recovery points.
    public var recoveryPoints: Int
}

/// A machine that passed authentication: who is calling.
public struct AuthenticatedMachine: Sendable, Equatable {
    public var id: String
    public var vaultId: String
    public var name: String
}

/// A machine of a vault, registered or not.
public struct MachineInfo: Sendable, Equatable {
    public enum State: String, Sendable { case registered, unregistered }

    public var id: String
    public var vaultId: String
    public var name: String
    public var hostname: String
    public var state: State
    public var registeredAt: Date
    public var lastBackupAt: Date?
    /// When `stop-protection` was confirmed, if it was.
    public var protectionStoppedAt: Date?
    /// Bytes of the machine's objects.
    public var bytes: Int64
    /// Live recovery points.
    public var recoveryPoints: Int
}

/// A backup item of a machine with its live points.
public struct ItemInfo: Sendable, Equatable {
    public var kind: String
    public var name: String
    public var recoveryPoints: Int
    public var lastBackupAt: Date?
    /// The protected size of the latest live point.
    public var size: Int64
}

/// A committed recovery point.
public struct RecoveryPoint: Sendable, Equatable {
    public enum State: String, Sendable { case live, deleted }

    /// The name of its `recovery-points` object.
    public var id: String
    public var machineId: String
    public var item: BackupItemRef
    public var time: Date
    public var size: Int64
    public var retainUntil: Date?
    public var state: State
    public var committedAt: Date
    /// When it was soft-deleted; it is purged `softDeleteRetention` later.
    public var deletedAt: Date?
    /// Undeleted from the portal: retention never expires it.
    public var held: Bool
    /// Imported from an offline seed (docs/offline-seeding.md) rather than committed over the network.
    public var seeded = false
}

/// An open upload lease.
public struct Lease: Sendable, Equatable {
    public var id: String
    public var startedAt: Date
    public var expiresAt: Date
}

/// One stored object as a listing shows it.
public struct StoredObject: Sendable, Equatable {
    public var name: String
    public var size: Int64
}

/// One page of a listing; `next` is the `after` of the following page, nil on the last.
public struct ObjectPage: Sendable, Equatable {
    public var objects: [StoredObject]
    public var next: String?
}

/// A freshly generated security PIN, shown once.
public struct SecurityPIN: Sendable, Equatable {
    public var pin: String
    public var expiresAt: Date
}

/// One line of the audit log.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var time: Date
    public var vaultId: String?
    public var machineId: String?
    /// "portal", "cli", "system" or "machine".
    public var actor: String
    /// A stable event name, e.g. "machine.registered", "credentials.refused", "gc".
    public var event: String
    public var detail: String
}

/// What one maintenance pass did.
public struct MaintenanceReport: Sendable, Equatable {
    /// Live points soft-deleted by retention (e.g. once a `retainUntil` passed).
    public var expiredPoints = 0
    /// Soft-deleted points purged after the soft-delete period.
    public var purgedPoints = 0
    /// Objects removed by garbage collection, and their bytes.
    public var collectedObjects = 0
    public var collectedBytes: Int64 = 0

    public init() {}
}
