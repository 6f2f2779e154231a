import Foundation
import ObjectStore
import Repository
import Testing
import VaultClient

@Suite("VaultObjectStore leases, other machines, and refused credentials")
struct LeaseAndAccessTests {
    @Test("a lease opens with the first upload, renews once half its time passed, and is released by close")
    func leaseRenewal() throws {
        let vault = try LoopbackVault()
        let clock = ManualClock(1000)
        var options = VaultObjectStore.Options()
        options.leaseSeconds = 60
        options.now = { clock.now }
        let credential = try vault.register("web-01")
        let store = vault.session(credential).objectStore(options: options)
        try store.put(.config, Array("config".utf8))
        #expect(store.leaseID == nil, "config needs no lease")

        let (first, firstBytes) = try TransferTests.object(1000, seed: 1)
        try store.put(first, firstBytes)
        let lease = try #require(store.leaseID)
        clock.advance(20)
        let (second, secondBytes) = try TransferTests.object(1000, seed: 2)
        try store.put(second, secondBytes)
        #expect(vault.recorder.count("PUT", containing: "/leases/") == 0)
        clock.advance(15)
        _ = try store.list(.data)  // any request renews a lease that is due
        #expect(vault.recorder.count("PUT", containing: "/leases/\(lease)") == 1)
        #expect(store.leaseID == lease)
        #expect(try vault.service.openLeases(machine: credential.machineId).count == 1)

        try store.close()
        #expect(store.leaseID == nil)
        #expect(vault.recorder.count("DELETE", containing: "/leases/\(lease)") == 1)
        #expect(try vault.service.openLeases(machine: credential.machineId).isEmpty)
    }

    @Test("a lease the vault let expire is replaced by a new one and the upload goes through")
    func expiredLeaseIsReopened() throws {
        let vault = try LoopbackVault()
        let store = try vault.store("web-01")
        let (first, firstBytes) = try TransferTests.object(1000, seed: 1)
        try store.put(first, firstBytes)
        let old = try #require(store.leaseID)
        vault.clock.advance(2 * 3600)  // the machine slept; the vault's lease ran out
        let (second, secondBytes) = try TransferTests.object(1000, seed: 2)
        try store.put(second, secondBytes)
        #expect(try store.get(second) == secondBytes)
        #expect(store.leaseID != nil && store.leaseID != old)
        #expect(vault.recorder.entries.contains { $0.status == 409 && $0.path.contains("/objects/data/") })
    }

    @Test("any machine of the vault reads another's objects, but cannot write them")
    func readsAnotherMachine() throws {
        let vault = try LoopbackVault()
        let owner = try vault.register("web-01")
        let ownStore = vault.session(owner).objectStore()
        let (key, bytes) = try TransferTests.object(100_000)
        try ownStore.put(key, bytes)

        let other = vault.session(try vault.register("web-02"))
        let found = try other.machine("web-01")
        #expect(found.id == owner.machineId)
        let foreign = other.objectStore(machineId: found.id)
        #expect(try foreign.get(key) == bytes)
        #expect(try foreign.list(.data).map(\.key) == [key])
        let (mine, mineBytes) = try TransferTests.object(10)
        let refused = #expect(throws: ObjectStoreError.self) { try foreign.put(mine, mineBytes) }
        #expect(refused?.code == .permissionDenied)
        #expect(throws: VaultClientError.self) { try other.machine("db-01") }
    }

    @Test("a wrong secret is refused with the vault's reason and what to do")
    func authenticationFailure() throws {
        let vault = try LoopbackVault()
        var credential = try vault.register("web-01")
        credential.secret = String(credential.secret.reversed())
        let store = vault.session(credential).objectStore()
        let error = #expect(throws: ObjectStoreError.self) { try store.list(.keys) }
        #expect(error?.code == .permissionDenied)
        #expect(error?.message.contains("the vault refused to list keys objects") == true, "\(String(describing: error))")
        #expect(error?.message.contains("--take-over") == true)
        #expect(store.statistics.retries == 0)
    }
}

@Suite("Changing the passphrase in the vault")
struct PassphraseChangeTests {
    @Test("replacing key slots needs a security PIN: refused without one, done with one from the portal")
    func keySlotsNeedAPIN() throws {
        let vault = try LoopbackVault()
        let credential = try vault.register("web-01")
        let old = Array("the old passphrase, long enough".utf8), new = Array("the new passphrase, long enough".utf8)
        let identity = WriterIdentity(time: "2026-11-24T12:00:00Z", hostname: "web-01", username: "root")
        let repository = try Repository.create(store: vault.session(credential).objectStore(), passphrase: old, cost: .testing, identity: identity)
        let refused = #expect(throws: RepositoryError.self) {
            try repository.replaceKeySlots(unlockedBy: old, with: new, cost: .testing, identity: identity)
        }
        #expect(refused?.message.contains("needs a security PIN") == true, "\(String(describing: refused))")

        var options = VaultObjectStore.Options()
        options.securityPIN = try vault.service.generatePIN(vault: vault.vaultId).pin
        let withPIN = try Repository.open(store: vault.session(credential).objectStore(options: options), passphrase: old, loadIndex: false)
        #expect(try withPIN.replaceKeySlots(unlockedBy: old, with: new, cost: .testing, identity: identity) == 1)
        let store = vault.session(credential).objectStore()
        #expect(throws: RepositoryError.self) { try Repository.open(store: store, passphrase: old) }
        _ = try Repository.open(store: store, passphrase: new)
    }
}
