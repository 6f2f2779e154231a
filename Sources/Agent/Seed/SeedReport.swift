/// SeedReport is what an offline seed job tells the user: where the seed is, how much it holds, what to do next;
/// PendingSeed is the agent's note that a seed of an item waits for its import.
import Foundation

/// The `seed` part of a seed job's report.
public struct SeedReport: Codable, Sendable, Equatable {
    /// The seed's folder: `<staging folder>/<machine id>`.
    public var folder: String
    public var manifest: String
    public var objects: Int
    public var bytes: Int64
    /// The recovery point the vault commits when it imports the seed.
    public var recoveryPoint: String
    /// What to do next, in words.
    public var nextSteps: String

    public init(folder: String, manifest: String, objects: Int, bytes: Int64, recoveryPoint: String, nextSteps: String) {
        self.folder = folder
        self.manifest = manifest
        self.objects = objects
        self.bytes = bytes
        self.recoveryPoint = recoveryPoint
        self.nextSteps = nextSteps
    }

    /// The instructions for a seed in `folder` of a machine of vault `vaultName`.
    static func nextSteps(folder: String, vaultName: String) -> String {
        "Unmount the seeding disk and ship it to the vault's site. There, mount it and import the seed with "
            + "`haven vault import-seed \(vaultName) \(folder)` (or the vault portal's Import seed page; give the folder "
            + "where the disk is mounted there). Until the import, backups of this item wait for it; afterwards the next "
            + "backup sends only the changes over the network."
    }
}

/// A seed written but not yet seen in the vault, kept in the agent's settings table per item.
struct PendingSeed: Codable, Sendable, Equatable {
    var folder: String
    var recoveryPoint: String
    /// RFC 3339 UTC.
    var writtenAt: String
}
