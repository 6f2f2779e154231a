// Tests for reading a system-state recovery point as hostile input: a crafted manifest is refused with a clear error,
// and a well-formed one reads back with what each component holds.
import Backup
import FileIO
import Foundation
import Repository
import Testing

@Suite("System state point")
struct SystemStatePointTests {
    /// A point holding `staging` at the system state's virtual root (and `extra` live paths).
    func point(_ scratch: Scratch, staging: String, extra: [String] = []) throws -> (Repository, StoredRecoveryPoint) {
        let repository = try scratch.makeRepository()
        let result = try Scratch.backup(repository, extra + [SystemStateManifest.virtualRoot]) { options in
            options.readFrom = [SystemStateManifest.virtualRoot: staging]
        }
        return (repository, result.recoveryPoint)
    }

    @Test("a collected point reads back its manifest and counts each component's files")
    func collected() throws {
        let scratch = try Scratch()
        var configuration = SystemStateCollector.Configuration(stagingDirectory: scratch.sub("staging"), hostname: "h", collectedAt: "2026-12-03T02:00:00Z")
        configuration.disks = []
        let collection = try SystemStateCollector(configuration: configuration).collect()
        let (repository, stored) = try point(scratch, staging: scratch.sub("staging"), extra: collection.livePaths)
        let reader = SystemStatePoint(repository: repository, point: stored)
        #expect(try reader.manifest() == collection.manifest)
        let accounts = try #require(collection.manifest.components.first { $0.id == "accounts" })
        let counted = try reader.contents(of: accounts)
        let expected = accounts.paths.filter(\.present).reduce(into: (0, UInt64(0))) { total, path in
            if !FileIO.isDirectory(path.path), let size = try? FileIO.fileSize(path.path) { total.0 += 1; total.1 += UInt64(size) }
        }
        #expect(counted.files >= expected.0 && counted.bytes >= expected.1)
    }

    @Test("a crafted manifest in a point is refused: a path escaping the virtual root, a bad id, an oversized file")
    func crafted() throws {
        let scratch = try Scratch()
        let staging = scratch.sub("crafted")
        try FileIO.makeDirectories(staging)
        let escaping = """
            {"format": "haven-system-state", "version": 1, "hostname": "h", "collectedAt": "", "os": "", "kernel": "", "architecture": "",
             "components": [{"id": "etc", "title": "", "description": "", "status": "ok", "paths": [], "generated": [],
               "commands": [{"arguments": ["x"], "output": "/.haven-system-state/../../root/.ssh/authorized_keys", "status": "ok"}]}]}
            """
        try FileIO.writeFileAtomically(staging + "/manifest.json", Array(escaping.utf8), durable: false)
        let (repository, stored) = try point(scratch, staging: staging)
        let error = #expect(throws: SystemStateError.self) { try SystemStatePoint(repository: repository, point: stored).manifest() }
        #expect(error?.message.contains("not a clean absolute path") == true)
        #expect(throws: SystemStateError.self) {
            try SystemStatePoint(repository: repository, point: stored).writeFile { _ in }
        }

        let big = Scratch.init
        let other = try big()
        let large = other.sub("large")
        try FileIO.makeDirectories(large)
        try FileIO.writeFileAtomically(large + "/manifest.json", [UInt8](repeating: 0x20, count: SystemStateManifest.maxSize + 1), durable: false)
        let (largeRepository, largePoint) = try point(other, staging: large)
        let tooLarge = #expect(throws: SystemStateError.self) { try SystemStatePoint(repository: largeRepository, point: largePoint).manifest() }
        #expect(tooLarge?.message.contains("more than the") == true)
    }
}
