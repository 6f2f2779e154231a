import Crypto
import FileIO
import Foundation
import ObjectStore
import SQLiteDB
import VaultProtocol

/// Offline seeds (docs/offline-seeding.md): checking a seed disk's every object against its manifest, then
/// importing the objects and committing the seeded recovery point, all or nothing.
extension VaultService {
    /// What an import did.
    public struct SeedImport: Sendable, Equatable {
        public var machineId: String
        public var machineName: String
        public var item: BackupItemRef
        public var recoveryPoint: String
        /// Objects in the seed, and how many were not in the vault before.
        public var objects: Int
        public var objectsStored: Int
        public var bytes: Int64
        /// False when the point had been committed before (the seed was imported already).
        public var committed: Bool
    }

    /// The object kinds a seed may hold: everything a backup writes, never a config or a lock.
    static let seedKinds: [ObjectKind] = [.keys, .data, .index, .recoveryPoints]

    /// Imports the seed at `path` (a seed folder, or a staging folder holding exactly one) into vault `vault`
    /// (name or id). Checks every object before storing anything; a damaged seed is refused with
    /// `invalidRequest`, whose `missing` lists every problem, one line each.
    public func importSeed(path: String, vault: String, actor: String) throws -> SeedImport {
        let vault = try self.vault(vault)
        let folder = try Self.seedFolder(path)
        let manifest = try Self.readManifest(folder)
        guard manifest.vault == vault.id else {
            throw VaultError(.invalidRequest, "the seed at \(folder) was written for another vault (\(manifest.vault.prefix(32))), "
                + "not \(vault.name) (\(vault.id)); import it into the vault its machine is registered with")
        }
        let machine: MachineInfo
        do { machine = try self.machine(manifest.machine, inVault: vault.id) } catch let error as VaultError where error.code == .notFound {
            throw VaultError(.notFound, "the seed at \(folder) belongs to machine \(manifest.machine.prefix(32)) "
                + "(\(manifest.machineName.prefix(64))), which is not a machine of vault \(vault.name); nothing was imported")
        }
        guard machine.state == .registered else {
            throw VaultError(.machineUnregistered, "machine \(machine.name) of the seed at \(folder) is unregistered; "
                + "register it again (take over) before importing its seed; nothing was imported")
        }
        let objects = try verifySeed(folder, manifest, machine: machine.id)
        var stored = 0
        for (key, path) in objects {
            let bytes: [UInt8]
            do { bytes = try FileIO.readFile(path) } catch {
                throw VaultError(.invalidRequest, "cannot read \(path) of the seed while importing it: \(error); "
                    + "objects stored so far are kept and a new import resumes")
            }
            if try storeAndRecord(key, bytes, vault: vault.id, machine: machine.id) { stored += 1 }
        }
        let committed = try commitRecoveryPoint(
            caller: AuthenticatedMachine(id: machine.id, vaultId: vault.id, name: machine.name), manifest.recoveryPoint)
        let point = manifest.recoveryPoint
        try mapping {
            try database.write { transaction in
                try transaction.execute("UPDATE recovery_points SET seeded = 1 WHERE machine = ? AND object = ?",
                                        [.text(machine.id), .text(point.object)])
                try appendAudit(transaction, vault: vault.id, machine: machine.id, actor: actor, event: "recovery-point.seeded",
                                detail: "recovery point \(point.object) of \(point.item.kind) \"\(point.item.name)\" imported from "
                                    + "the seed at \(folder): \(objects.count) objects (\(stored) new), \(manifest.totalBytes) bytes"
                                    + (committed ? "" : "; it had been imported before"))
            }
        }
        return SeedImport(machineId: machine.id, machineName: machine.name, item: point.item, recoveryPoint: point.object,
                          objects: objects.count, objectsStored: stored, bytes: manifest.totalBytes, committed: committed)
    }

    /// The seed folder of `path`: itself when it holds a manifest, else its one subfolder that does.
    static func seedFolder(_ path: String) throws -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard path.hasPrefix("/") else {
            throw VaultError(.invalidRequest, "give the seed's folder as an absolute path, such as /mnt/seed/<machine id>")
        }
        guard FileIO.isDirectory(path) else {
            throw VaultError(.notFound, "there is no folder \(path); mount the seeding disk and give the folder the agent wrote the seed to")
        }
        if FileIO.exists(path + "/" + SeedManifest.fileName) { return path }
        let seeds = ((try? FileIO.listDirectory(path)) ?? []).sorted().filter { FileIO.exists(path + "/" + $0 + "/" + SeedManifest.fileName) }
        guard seeds.count == 1 else {
            throw VaultError(.invalidRequest, seeds.isEmpty
                ? "\(path) holds no seed (no \(SeedManifest.fileName) in it or in a folder below it); the agent writes a seed "
                    + "to <staging folder>/<machine id>, and only after the seed job finished"
                : "\(path) holds \(seeds.count) seeds (\(seeds.joined(separator: ", "))); import them one at a time by their folders")
        }
        return path + "/" + seeds[0]
    }

    static func readManifest(_ folder: String) throws -> SeedManifest {
        let path = folder + "/" + SeedManifest.fileName
        let manifest: SeedManifest
        do {
            manifest = try JSONDecoder().decode(SeedManifest.self, from: Data(try FileIO.readFile(path)))
        } catch {
            throw VaultError(.invalidRequest, "\(path) is not a readable seed manifest (\(error)); the seed is damaged or unfinished: "
                + "run the agent's seed job again")
        }
        guard manifest.format == SeedManifest.formatName, manifest.version == SeedManifest.currentVersion else {
            throw VaultError(.invalidRequest, "\(path) is a \(manifest.format) manifest of version \(manifest.version); this vault "
                + "imports \(SeedManifest.formatName) version \(SeedManifest.currentVersion): update the vault, or write the seed again")
        }
        return manifest
    }

    /// Every object of the seed with its file, once each has been checked; throws a report of every problem.
    func verifySeed(_ folder: String, _ manifest: SeedManifest, machine: String) throws -> [(ObjectKey, String)] {
        var problems: [String] = []
        var objects: [(ObjectKey, String)] = []
        var listed = Set<String>()
        let layout = try? FilesystemStore(root: folder, hasher: Self.hasher)
        for object in manifest.objects {
            guard let kind = ObjectKind(rawValue: object.kind), Self.seedKinds.contains(kind),
                  let key = try? ObjectKey(kind, object.name) else {
                problems.append("\(object.kind.prefix(20))/\(object.name.prefix(80)): not a keys, data, index or recovery-points object name")
                continue
            }
            guard listed.insert(key.description).inserted else { problems.append("\(key): listed twice"); continue }
            guard object.sha256 == key.name else {
                problems.append("\(key): the manifest's SHA-256 \(object.sha256.prefix(64)) is not the object's name"); continue
            }
            guard let layout else { continue }
            let path = layout.path(for: key)
            guard let status = try? FileIO.status(path), status.kind == .regular else {
                problems.append("\(key): missing (no file at \(path))"); continue
            }
            guard Int64(status.size) == object.size else {
                problems.append("\(key): \(status.size) bytes on the disk, the manifest says \(object.size)"); continue
            }
            guard status.size <= configuration.maxObjectSize else {
                problems.append("\(key): \(status.size) bytes, more than the vault accepts (\(configuration.maxObjectSize))"); continue
            }
            guard let bytes = try? FileIO.readFile(path) else { problems.append("\(key): cannot be read from \(path)"); continue }
            let actual = Self.hasher(bytes)
            guard actual == object.sha256 else { problems.append("\(key): damaged (its content hashes to \(actual))"); continue }
            objects.append((key, path))
        }
        if layout == nil {
            problems.append("\(folder) is not a complete seed: the object folders (data/00 … data/ff, index, keys, recovery-points) are missing")
        } else {
            for file in Self.seedFiles(folder) where !listed.contains(file) {
                problems.append("\(file): a file in the seed that the manifest does not list")
            }
        }
        let point = manifest.recoveryPoint
        if !listed.contains("recovery-points/\(point.object)") {
            problems.append("recovery-points/\(point.object.prefix(64)): the seed's recovery point is not in the seed")
        }
        for reference in Set(point.references) where !listed.contains(reference) {
            let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
            let inVault = parts.count == 2 && (try? mapping {
                try database.query("SELECT 1 FROM objects WHERE machine = ? AND kind = ? AND name = ?",
                                   [.text(machine), .text(parts[0]), .text(parts[1])])
            }).map { !$0.isEmpty } == true
            if !inVault { problems.append("\(reference.prefix(100)): referenced by the recovery point, but neither in the seed nor in the vault") }
        }
        guard problems.isEmpty else {
            throw VaultError(.invalidRequest, "the seed at \(folder) is damaged: \(problems.count) problem(s), nothing was imported. "
                + "First: \(problems[0]). Write the seed again (the agent's seed job reuses the good objects) or copy it again",
                missing: problems)
        }
        return objects
    }

    /// `kind/name` of every file under the seed's object folders (`tmp/` is a writer's scratch space and ignored);
    /// a stray file in the seed's top folder other than the manifest and README is reported as `./name`.
    static func seedFiles(_ folder: String) -> [String] {
        var files: [String] = []
        for name in (try? FileIO.listDirectory(folder)) ?? [] {
            switch name {
            case SeedManifest.fileName, SeedManifest.readmeName, "tmp": continue
            case ObjectKind.data.rawValue:
                for prefix in (try? FileIO.listDirectory(folder + "/data")) ?? [] {
                    let directory = folder + "/data/" + prefix
                    guard FileIO.isDirectory(directory) else { files.append("data/\(prefix)"); continue }
                    files += ((try? FileIO.listDirectory(directory)) ?? []).map { "data/\($0)" }
                }
            case let kind where ObjectKind(rawValue: kind) != nil && FileIO.isDirectory(folder + "/" + kind):
                files += ((try? FileIO.listDirectory(folder + "/" + kind)) ?? []).map { "\(kind)/\($0)" }
            default:
                files.append("./\(name)")
            }
        }
        return files
    }
}
