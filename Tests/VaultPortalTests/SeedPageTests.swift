/// The Import seed page over real HTTP: a damaged seed is refused with every problem, a good one is imported and its
/// point shows as seeded.
import Crypto
import FileIO
import Foundation
import ObjectStore
import Testing
import Vault
import VaultProtocol

@Suite("vault portal seed import")
struct SeedPageTests {
    /// Writes a seed of one pack and one point for `machine` under `directory`; returns its folder and the pack's file.
    func writeSeed(in directory: String, vault: String, machine: AuthenticatedMachine) throws -> (folder: String, pack: String) {
        let folder = directory + "/seed-disk/\(machine.id)"
        try FileIO.makeDirectories(directory + "/seed-disk", mode: 0o700)
        let store = try FilesystemStore.create(root: folder, hasher: { Hex.encode(SHA256.hash($0)) })
        var objects: [SeedManifest.Object] = []
        var keys: [ObjectKey] = []
        for (bytes, kind) in [(Array("a pack of blobs".utf8), ObjectKind.data), (Array("a recovery point".utf8), .recoveryPoints)] {
            let key = try ObjectKey(kind, Hex.encode(SHA256.hash(bytes)))
            try store.put(key, bytes)
            keys.append(key)
            objects.append(.init(kind: kind.rawValue, name: key.name, size: Int64(bytes.count), sha256: key.name))
        }
        let manifest = SeedManifest(vault: vault, machine: machine.id, machineName: machine.name, createdAt: "2026-11-24T09:00:00Z",
                                    recoveryPoint: CommitRecoveryPointRequest(
                                        object: keys[1].name, item: BackupItemRef(kind: "files", name: "Files and folders"),
                                        time: "2026-11-24T08:00:00Z", size: 15, references: [keys[0].description]),
                                    objects: objects)
        try FileIO.writeFileAtomically(folder + "/manifest.json", Array(try JSONEncoder().encode(manifest)), mode: 0o600)
        return (folder, store.path(for: keys[0]))
    }

    @Test("a damaged seed is refused with the bad object named and nothing stored; repaired, it imports and shows as seeded")
    func importSeed() async throws {
        let harness = try PortalHarness()
        let browser = try await harness.signedIn()
        let vault = try harness.service.createVault(name: "Production")
        let machine = try harness.register("web-01", vault: vault.id)
        let seed = try writeSeed(in: harness.directory, vault: vault.id, machine: machine)
        let page = "/vaults/\(vault.id)/import-seed"

        #expect(try await browser.get("/vaults/\(vault.id)").text.contains("href=\"\(page)\""))
        let form = try await browser.get(page)
        #expect(form.status == 200 && form.text.contains("Seed folder on this host"))

        let empty = try await browser.submit(page, from: page, [("path", " ")])
        #expect(empty.status == 422 && (empty.text.contains("Give the seed&#39;s folder") || empty.text.contains("Give the seed's folder")))

        let good = try FileIO.readFile(seed.pack)
        try FileIO.writeFileAtomically(seed.pack, Array("a pack of blobz".utf8), mode: 0o600)
        let refused = try await browser.submit(page, from: page, [("path", seed.folder)])
        #expect(refused.status == 422 && refused.text.contains("id=\"seed-refused\""))
        #expect(refused.text.contains("data/\(Hex.encode(SHA256.hash(good))): damaged"))
        #expect(try harness.service.recoveryPoints(machine: machine.id).isEmpty)

        try FileIO.writeFileAtomically(seed.pack, good, mode: 0o600)
        let imported = try await browser.submit(page, from: page, [("path", seed.folder)])
        #expect(imported.status == 200 && imported.text.contains("id=\"seed-imported\"") && imported.text.contains("2 objects (2 new)"))
        let server = try await browser.get("/vaults/\(vault.id)/servers/\(machine.id)")
        #expect(server.text.contains(">Seeded</span>"))
        #expect(try harness.service.auditLog(vault: vault.id).contains { $0.event == "recovery-point.seeded" && $0.actor == "portal" })
    }
}
