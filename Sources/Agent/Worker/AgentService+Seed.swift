/// Offline seeding in the backup job (docs/offline-seeding.md): whether this backup writes a seed, waits for one, or runs
/// online; and, after a seed job, its manifest, README and the agent's note that the seed waits for its import.
import FileIO
import Foundation
import ObjectStore
import Repository
import VaultClient
import VaultProtocol

extension AgentService {
    /// The store a backup of `item` writes to when it must seed offline; nil when it runs online.
    ///
    /// It seeds when the goal says offline and the vault has no point of the item this repository can read; it
    /// fails (waits) while an earlier seed of the item has not been imported.
    func seedingStore(goal: BackupGoal, item: BackupItem, parent: StoredRecoveryPoint?, credential: MachineCredential,
                      vault: any ObjectStore) throws -> SeedingStore? {
        guard case .offline(let staging) = goal.initialBackup else { return nil }
        guard parent == nil else {
            try setPendingSeed(nil, item: item)
            return nil
        }
        if let pending = try pendingSeed(item: item) {
            throw AgentError(.invalidInput, field: "initialBackup", "waiting for the offline seed at \(pending.folder) to be imported: "
                + "the seed job of \(pending.writtenAt) wrote the initial backup there (recovery point \(pending.recoveryPoint.prefix(12))). "
                + "Import it in the vault (`haven vault import-seed`); then backups run online and send only the changes. "
                + "To send the initial backup over the network instead, choose Online on Schedule backup")
        }
        guard FileIO.isDirectory(staging) else {
            throw AgentError(.invalidInput, field: "initialBackup", "the offline staging folder \(staging) does not exist: mount the "
                + "seeding disk there (the agent does not create it), or choose another folder on Schedule backup")
        }
        let folder = (staging.hasSuffix("/") ? String(staging.dropLast()) : staging) + "/" + credential.machineId
        if FileIO.exists(folder + "/" + SeedManifest.fileName) {
            throw AgentError(.invalidInput, field: "initialBackup", "\(folder) already holds a finished seed (it has a manifest) that "
                + "this agent does not wait for; import it in the vault, or remove it (or choose another staging folder) to write a new one")
        }
        return try SeedingStore(folder: folder, vault: vault)
    }

    /// Writes the seed's manifest and README once the backup committed into it, notes that it waits for its import,
    /// and says where it is and what to do next.
    func finishSeed(_ seed: SeedingStore, credential: MachineCredential) throws -> SeedReport {
        guard let commit = seed.recordedCommit else {
            throw AgentError(.io, "the backup stored no recovery point in the seed at \(seed.seed.root); run it again")
        }
        var objects: [SeedManifest.Object] = []
        for kind in [ObjectKind.keys, .data, .index, .recoveryPoints] {
            let listed = try Self.mapping { try seed.seed.list(kind) }
            objects += listed.sorted { $0.key.name < $1.key.name }.map {
                SeedManifest.Object(kind: kind.rawValue, name: $0.key.name, size: Int64($0.size), sha256: $0.key.name)
            }
        }
        let now = Timestamp.formatSeconds(clock())
        let manifest = SeedManifest(vault: credential.vaultId, machine: credential.machineId, machineName: credential.machineName,
                                    createdAt: now, recoveryPoint: commit, objects: objects)
        let folder = seed.seed.root
        let manifestPath = folder + "/" + SeedManifest.fileName
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let report = SeedReport(folder: folder, manifest: manifestPath, objects: manifest.totalObjects, bytes: manifest.totalBytes,
                                recoveryPoint: commit.object, nextSteps: SeedReport.nextSteps(folder: folder, vaultName: credential.vaultName))
        let readme = """
            Haven offline seed
            ==================
            Machine \(credential.machineName) (\(credential.machineId)) of vault \(credential.vaultName) (\(credential.vaultId))
            \(commit.item.kind) "\(commit.item.name)", recovery point \(commit.object)
            Written \(now): \(manifest.totalObjects) objects, \(manifest.totalBytes) bytes, each listed with its SHA-256 in \(SeedManifest.fileName).

            \(report.nextSteps)

            """
        do {
            try FileIO.writeFileAtomically(folder + "/" + SeedManifest.readmeName, Array(readme.utf8), mode: 0o644)
            // The manifest last: a seed with a manifest is complete.
            try FileIO.writeFileAtomically(manifestPath, Array(try encoder.encode(manifest)) + [0x0a], mode: 0o600)
        } catch {
            throw AgentError(.io, "cannot write the seed's manifest in \(folder): \(error); check the seeding disk and run the backup again")
        }
        try setPendingSeed(PendingSeed(folder: folder, recoveryPoint: commit.object, writtenAt: now),
                           item: BackupItem(kind: commit.item.kind, name: commit.item.name))
        return report
    }

    /// One alert per item of an offline goal whose seed waits for its import: where it is and what to do.
    func seedAlerts(_ goal: BackupGoal) throws -> [Overview.Alert] {
        guard case .offline = goal.initialBackup else { return [] }
        let vaultName = try state.credential()?.vaultName ?? "VAULT"
        return try goal.items.compactMap { item -> Overview.Alert? in
            guard let pending = try pendingSeed(item: BackupItem(kind: item.kind, name: item.name)) else { return nil }
            return Overview.Alert(severity: "info", message: "The initial backup of \(item.name) was written offline to \(pending.folder) "
                + "on \(pending.writtenAt). Ship the seeding disk and import it with `haven vault import-seed \(vaultName) \(pending.folder)` "
                + "(or the vault portal's Import seed page); backups of \(item.name) wait until the vault has it.")
        }
    }

    private static func pendingSeedKey(_ item: BackupItem) -> String { "pending_seed:\(item.kind):\(item.name)" }

    /// The seed of `item` that waits for its import, if any.
    func pendingSeed(item: BackupItem) throws -> PendingSeed? {
        let text: String? = try Self.mapping {
            try database.query("SELECT value FROM settings WHERE name = ?", [.text(Self.pendingSeedKey(item))]).first?.get("value")
        }
        return text.flatMap { try? JSONDecoder().decode(PendingSeed.self, from: Data($0.utf8)) }
    }

    func setPendingSeed(_ pending: PendingSeed?, item: BackupItem) throws {
        try Self.mapping {
            if let pending {
                let text = String(decoding: try JSONEncoder().encode(pending), as: UTF8.self)
                try database.execute("INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", [.text(Self.pendingSeedKey(item)), .text(text)])
            } else {
                try database.execute("DELETE FROM settings WHERE name = ?", [.text(Self.pendingSeedKey(item))])
            }
        }
    }
}
