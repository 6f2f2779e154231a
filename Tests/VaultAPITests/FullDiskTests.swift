/// A vault whose disk is full: the upload that does not fit is refused with 507 and leaves nothing; the rest works.
import Foundation
import Glibc
import Testing
import Vault
import VaultProtocol

@Suite("Vault API: a full disk")
struct FullDiskTests {
    static func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }

    @Test("an upload that does not fit answers 507 insufficient_storage, keeps nothing, and smaller ones still work")
    func fullDisk() async throws {
        let harness = try Harness(maxObjectSize: 8 << 20, diskBytes: 3 << 20)
        let machine = try await harness.register()
        let lease = try await harness.openLease(machine)
        let small = Self.random(200_000)
        _ = try await harness.upload(small, machine: machine, lease: lease)

        let big = Self.random(4 << 20)
        let name = Harness.name(big)
        let refused = try await harness.send("PUT", "/machines/\(machine.id)/objects/data/\(name)", machine: machine,
                                             headers: [("Haven-Lease", lease)], body: big)
        #expect(refused.status == 507 && harness.errorCode(refused) == "insufficient_storage", "\(refused.status) \(refused.text)")
        #expect(refused.text.contains("disk is full"))
        #expect(try await harness.send("HEAD", "/machines/\(machine.id)/objects/data/\(name)", machine: machine).status == 404)
        // Nothing of the refused object stays, not even a temporary file: the space is free again.
        var stats = statvfs()
        #expect(statvfs(harness.directory, &stats) == 0)
        #expect(Int(stats.f_bavail) * Int(stats.f_frsize) > 2 << 20)

        let later = Self.random(100_000)
        _ = try await harness.upload(later, machine: machine, lease: lease)
        let read = try await harness.send("GET", "/machines/\(machine.id)/objects/data/\(Harness.name(small))", machine: machine)
        #expect(read.status == 200 && read.body == small)
    }
}
