/// Importing offline seeds: everything is checked against the manifest before anything is stored.
import Crypto
import FileIO
import Foundation
import ObjectStore
import Testing
import Vault
import VaultProtocol

/// A seed on disk as an agent writes it: a filesystem layout with two packs, an index, a key slot and a recovery
/// point, and its manifest.
struct SeedFixture {
    let folder: String
    var manifest: SeedManifest
    let pack: ObjectKey
    let point: ObjectKey

    init(in directory: String, vault: String, machine: AuthenticatedMachine, extraReferences: [ObjectKey] = []) throws {
        folder = directory + "/seed/\(machine.id)"
        try FileIO.makeDirectories(directory + "/seed", mode: 0o700)
        let store = try FilesystemStore.create(root: folder, hasher: { Hex.encode(SHA256.hash($0)) })
        var objects: [SeedManifest.Object] = []
        func add(_ bytes: [UInt8], _ kind: ObjectKind) throws -> ObjectKey {
            let key = try ObjectKey(kind, Hex.encode(SHA256.hash(bytes)))
            try store.put(key, bytes)
            objects.append(.init(kind: kind.rawValue, name: key.name, size: Int64(bytes.count), sha256: key.name))
            return key
        }
        pack = try add((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }, .data)
        let second = try add(Array("second pack".utf8), .data)
        let index = try add(Array("index".utf8), .index)
        _ = try add(Array("key slot".utf8), .keys)
        point = try add(Array("recovery point".utf8), .recoveryPoints)
        manifest = SeedManifest(
            vault: vault, machine: machine.id, machineName: machine.name, createdAt: "2026-11-24T09:00:00Z",
            recoveryPoint: CommitRecoveryPointRequest(
                object: point.name, item: BackupItemRef(kind: "files", name: "Files and folders"), time: "2026-11-24T08:00:00Z",
                size: 70_011, references: ([pack, second, index] + extraReferences).map(\.description)),
            objects: objects)
        try writeManifest()
    }

    func writeManifest() throws {
        try FileIO.writeFileAtomically(folder + "/manifest.json", Array(try JSONEncoder().encode(manifest)), mode: 0o600)
    }

    func path(_ key: ObjectKey) -> String {
        key.kind == .data ? "\(folder)/data/\(key.name.prefix(2))/\(key.name)" : "\(folder)/\(key.kind.rawValue)/\(key.name)"
    }
}

@Suite("Offline seed import")
struct SeedImportTests {
    func refusal(_ body: () throws -> Void) -> VaultError? {
        do { try body() } catch let error as VaultError { return error } catch { Issue.record("unexpected \(error)") }
        return nil
    }

    func storedObjects(_ harness: ServiceHarness, _ machine: AuthenticatedMachine) throws -> Int {
        try [ObjectKind.data, .index, .keys, .recoveryPoints].reduce(0) {
            $0 + (try harness.service.listObjects(caller: machine, machine: machine.id, kind: $1, after: nil).objects.count)
        }
    }

    @Test("a good seed is imported: its objects are readable, its point is live and marked seeded, the audit log says so")
    func goodSeed() throws {
        let harness = try ServiceHarness()
        let machine = try harness.machine()
        let seed = try SeedFixture(in: harness.directory, vault: harness.vault.id, machine: machine)
        let result = try harness.service.importSeed(path: seed.folder, vault: "Production", actor: "cli")
        #expect(result.objects == 5 && result.objectsStored == 5 && result.committed)
        #expect(result.recoveryPoint == seed.point.name)
        #expect(try harness.service.readObject(caller: machine, machine: machine.id, key: seed.pack) == FileIO.readFile(seed.path(seed.pack)))
        let points = try harness.service.recoveryPoints(machine: machine.id)
        #expect(points.map(\.id) == [seed.point.name])
        #expect(points.first?.seeded == true && points.first?.item.name == "Files and folders")
        #expect(try harness.service.auditLog(vault: harness.vault.id).contains { $0.event == "recovery-point.seeded" })
    }

    @Test("the staging folder holding one seed is accepted in place of the seed's folder")
    func stagingFolder() throws {
        let harness = try ServiceHarness()
        let machine = try harness.machine()
        _ = try SeedFixture(in: harness.directory, vault: harness.vault.id, machine: machine)
        #expect(try harness.service.importSeed(path: harness.directory + "/seed/", vault: harness.vault.id, actor: "cli").committed)
    }

    @Test("importing the same seed again stores nothing and commits nothing new")
    func reimport() throws {
        let harness = try ServiceHarness()
        let machine = try harness.machine()
        let seed = try SeedFixture(in: harness.directory, vault: harness.vault.id, machine: machine)
        _ = try harness.service.importSeed(path: seed.folder, vault: "Production", actor: "cli")
        let again = try harness.service.importSeed(path: seed.folder, vault: "Production", actor: "cli")
        #expect(again.objectsStored == 0 && !again.committed)
        #expect(try harness.service.recoveryPoints(machine: machine.id).count == 1)
    }

    @Test("a damaged, a missing and a resized object are each named in the report, and nothing is stored")
    func damagedSeed() throws {
        let harness = try ServiceHarness()
        let machine = try harness.machine()
        let seed = try SeedFixture(in: harness.directory, vault: harness.vault.id, machine: machine)
        var bytes = try FileIO.readFile(seed.path(seed.pack))
        bytes[1000] ^= 0x01
        try FileIO.writeFileAtomically(seed.path(seed.pack), bytes, mode: 0o600)
        let index = seed.manifest.objects.first { $0.kind == "index" }!
        try FileIO.removeFile("\(seed.folder)/index/\(index.name)")
        let key = seed.manifest.objects.first { $0.kind == "keys" }!
        try FileIO.writeFileAtomically("\(seed.folder)/keys/\(key.name)", Array("key slot!".utf8), mode: 0o600)

        let error = refusal { _ = try harness.service.importSeed(path: seed.folder, vault: "Production", actor: "cli") }
        #expect(error?.code == .invalidRequest)
        let problems = error?.missing ?? []
        #expect(problems.count == 3)
        #expect(problems.contains { $0.hasPrefix("data/\(seed.pack.name): damaged") })
        #expect(problems.contains { $0.hasPrefix("index/\(index.name): missing") })
        #expect(problems.contains { $0.hasPrefix("keys/\(key.name): 9 bytes on the disk") })
        #expect(try storedObjects(harness, machine) == 0)
        #expect(try harness.service.recoveryPoints(machine: machine.id).isEmpty)
    }

    @Test("a file the manifest does not list refuses the seed")
    func extraFile() throws {
        let harness = try ServiceHarness()
        let machine = try harness.machine()
        let seed = try SeedFixture(in: harness.directory, vault: harness.vault.id, machine: machine)
        let stray = Array("stray".utf8)
        let name = Hex.encode(SHA256.hash(stray))
        try FileIO.writeFileAtomically("\(seed.folder)/data/\(name.prefix(2))/\(name)", stray, mode: 0o600)
        let error = refusal { _ = try harness.service.importSeed(path: seed.folder, vault: "Production", actor: "cli") }
        #expect(error?.missing == ["data/\(name): a file in the seed that the manifest does not list"])
        #expect(try storedObjects(harness, machine) == 0)
    }

    @Test("a reference in neither the seed nor the vault refuses the seed; one the vault holds already is accepted")
    func references() throws {
        let harness = try ServiceHarness()
        let machine = try harness.machine()
        let online = try ObjectKey(.data, Hex.encode(SHA256.hash(Array("uploaded online".utf8))))
        let seed = try SeedFixture(in: harness.directory, vault: harness.vault.id, machine: machine, extraReferences: [online])
        let error = refusal { _ = try harness.service.importSeed(path: seed.folder, vault: "Production", actor: "cli") }
        #expect(error?.missing == ["\(online): referenced by the recovery point, but neither in the seed nor in the vault"])

        let lease = try harness.service.openLease(machine: machine.id, seconds: 600)
        try harness.put(Array("uploaded online".utf8), machine: machine, lease: lease.id)
        #expect(try harness.service.importSeed(path: seed.folder, vault: "Production", actor: "cli").committed)
    }

    @Test("a seed of a machine of another vault, of an unknown machine or of an unregistered one is refused")
    func wrongMachine() throws {
        let harness = try ServiceHarness()
        let machine = try harness.machine()
        let other = try harness.service.createVault(name: "Other")
        var seed = try SeedFixture(in: harness.directory, vault: harness.vault.id, machine: machine)

        let wrongVault = refusal { _ = try harness.service.importSeed(path: seed.folder, vault: "Other", actor: "cli") }
        #expect(wrongVault?.code == .invalidRequest && wrongVault?.message.contains("another vault") == true)
        #expect(other.machines == 0)

        seed.manifest.machine = String(repeating: "ab", count: 16)
        try seed.writeManifest()
        #expect(refusal { _ = try harness.service.importSeed(path: seed.folder, vault: "Production", actor: "cli") }?.code == .notFound)

        seed.manifest.machine = machine.id
        try seed.writeManifest()
        try harness.service.unregister(machineId: machine.id)
        #expect(refusal { _ = try harness.service.importSeed(path: seed.folder, vault: "Production", actor: "cli") }?.code == .machineUnregistered)
        #expect(try storedObjects(harness, machine) == 0)
    }

    @Test("a folder without a manifest, or with an unreadable one, is refused with what to do")
    func noManifest() throws {
        let harness = try ServiceHarness()
        let machine = try harness.machine()
        let seed = try SeedFixture(in: harness.directory, vault: harness.vault.id, machine: machine)
        try FileIO.writeFileAtomically(seed.folder + "/manifest.json", Array("{not json".utf8), mode: 0o600)
        #expect(refusal { _ = try harness.service.importSeed(path: seed.folder, vault: "Production", actor: "cli") }?
            .message.contains("not a readable seed manifest") == true)
        try FileIO.removeFile(seed.folder + "/manifest.json")
        #expect(refusal { _ = try harness.service.importSeed(path: seed.folder, vault: "Production", actor: "cli") }?
            .message.contains("holds no seed") == true)
        #expect(refusal { _ = try harness.service.importSeed(path: "relative/path", vault: "Production", actor: "cli") }?.code == .invalidRequest)
    }
}
