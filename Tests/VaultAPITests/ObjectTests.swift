/// Objects over real HTTP: verified write-once uploads, ranges, listing, leases and the deletions a machine may not make.
import Foundation
import Glibc
import Testing
import Vault
import VaultProtocol

@Suite("Vault API: objects")
struct ObjectTests {
    @Test("an upload whose content does not hash to its name is refused and nothing is kept")
    func hashMismatch() async throws {
        let harness = try Harness()
        let machine = try await harness.register()
        let lease = try await harness.openLease(machine)
        let name = Harness.name(Array("the real content".utf8))
        let response = try await harness.send("PUT", "/machines/\(machine.id)/objects/data/\(name)", machine: machine,
                                              headers: [("Haven-Lease", lease)], body: Array("other content".utf8))
        #expect(response.status == 400 && harness.errorCode(response) == "hash_mismatch")
        #expect(try await harness.send("HEAD", "/machines/\(machine.id)/objects/data/\(name)", machine: machine).status == 404)
        #expect(try Self.filesUnder(harness.directory + "/objects").filter { $0.contains(name) }.isEmpty)
    }

    @Test("a truncated upload (the connection closes mid-body) leaves nothing behind")
    func truncated() async throws {
        let harness = try Harness()
        let machine = try await harness.register()
        let lease = try await harness.openLease(machine)
        let bytes = [UInt8](repeating: 7, count: 100_000)
        let name = Harness.name(bytes)
        let head = "PUT /api/v1/machines/\(machine.id)/objects/data/\(name) HTTP/1.1\r\nHost: x\r\n"
            + "Authorization: \(machine.authorization)\r\nHaven-Lease: \(lease)\r\nContent-Length: \(bytes.count)\r\n\r\n"
        try Self.sendRaw(port: harness.server.port, Array(head.utf8) + bytes.prefix(40_000))
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await harness.send("HEAD", "/machines/\(machine.id)/objects/data/\(name)", machine: machine).status == 404)
        #expect(try Self.filesUnder(harness.directory + "/objects").filter { $0.contains(name) }.isEmpty)
    }

    @Test("PUT is idempotent (201 then 200), GET returns the bytes, ranges answer 206 or 416")
    func putGetRange() async throws {
        let harness = try Harness()
        let machine = try await harness.register()
        let lease = try await harness.openLease(machine)
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let name = Harness.name(bytes)
        let path = "/machines/\(machine.id)/objects/data/\(name)"
        #expect(try await harness.send("PUT", path, machine: machine, headers: [("Haven-Lease", lease)], body: bytes).status == 201)
        #expect(try await harness.send("PUT", path, machine: machine, headers: [("Haven-Lease", lease)], body: bytes).status == 200)
        let whole = try await harness.send("GET", path, machine: machine)
        #expect(whole.status == 200 && whole.body == bytes)
        let head = try await harness.send("HEAD", path, machine: machine)
        #expect(head.status == 200 && head.header("Content-Length") == "5000" && head.body.isEmpty)
        let range = try await harness.send("GET", path, machine: machine, headers: [("Range", "bytes=100-199")])
        #expect(range.status == 206 && range.body == Array(bytes[100...199]))
        #expect(range.header("Content-Range") == "bytes 100-199/5000")
        let outside = try await harness.send("GET", path, machine: machine, headers: [("Range", "bytes=4990-5000")])
        #expect(outside.status == 416 && harness.errorCode(outside) == "range_not_satisfiable")
        let malformed = try await harness.send("GET", path, machine: machine, headers: [("Range", "bytes=-5")])
        #expect(malformed.status == 400)
    }

    @Test("concurrent uploads of one object all succeed and store it once")
    func concurrentUploads() async throws {
        let harness = try Harness()
        let machine = try await harness.register()
        let lease = try await harness.openLease(machine)
        let bytes = [UInt8](repeating: 42, count: 300_000)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await harness.send("PUT", "/machines/\(machine.id)/objects/data/\(Harness.name(bytes))", machine: machine,
                                           headers: [("Haven-Lease", lease)], body: bytes).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 200 || $0 == 201 })
        #expect(statuses.filter { $0 == 201 }.count >= 1)
        let page = try harness.decode(ObjectListPage.self, try await harness.send("GET", "/machines/\(machine.id)/objects/data", machine: machine))
        #expect(page.objects == [.init(name: Harness.name(bytes), size: 300_000)])
    }

    @Test("uploads of data need an open lease of the caller; config and locks need none")
    func leases() async throws {
        let harness = try Harness()
        let machine = try await harness.register()
        let bytes = Array("pack".utf8)
        let path = "/machines/\(machine.id)/objects/data/\(Harness.name(bytes))"
        let none = try await harness.send("PUT", path, machine: machine, body: bytes)
        #expect(none.status == 428 && harness.errorCode(none) == "lease_required")
        let lease = try await harness.openLease(machine)
        #expect(try await harness.send("DELETE", "/machines/\(machine.id)/leases/\(lease)", machine: machine).status == 204)
        let released = try await harness.send("PUT", path, machine: machine, headers: [("Haven-Lease", lease)], body: bytes)
        #expect(released.status == 409 && harness.errorCode(released) == "lease_expired")
        let renewing = try await harness.openLease(machine)
        harness.clock.advance(seconds: 3000)
        #expect(try await harness.sendJSON("PUT", "/machines/\(machine.id)/leases/\(renewing)", LeaseRequest(seconds: 3600), machine: machine).status == 200)
        harness.clock.advance(seconds: 3000)
        #expect(try await harness.send("PUT", path, machine: machine, headers: [("Haven-Lease", renewing)], body: bytes).status == 201)
        let config = try await harness.send("PUT", "/machines/\(machine.id)/objects/config/config", machine: machine, body: Array("cfg".utf8))
        #expect(config.status == 201)
        let different = try await harness.send("PUT", "/machines/\(machine.id)/objects/config/config", machine: machine, body: Array("other".utf8))
        #expect(different.status == 409 && harness.errorCode(different) == "already_exists")
        let badSeconds = try await harness.sendJSON("POST", "/machines/\(machine.id)/leases", LeaseRequest(seconds: 5), machine: machine)
        #expect(badSeconds.status == 400)
    }

    @Test("a machine cannot delete data or write another machine's objects, but deletes its own locks and reads others' objects")
    func destroyForbidden() async throws {
        let harness = try Harness()
        let credentials = try harness.credentials(uses: 2)
        let owner = try await harness.register("a", credentials: credentials)
        let other = try await harness.register("b", credentials: credentials)
        let lease = try await harness.openLease(owner)
        let name = try await harness.upload(Array("pack".utf8), machine: owner, lease: lease)
        let delete = try await harness.send("DELETE", "/machines/\(owner.id)/objects/data/\(name)", machine: owner)
        #expect(delete.status == 403 && harness.errorCode(delete) == "destroy_forbidden")
        let read = try await harness.send("GET", "/machines/\(owner.id)/objects/data/\(name)", machine: other)
        #expect(read.status == 200 && read.body == Array("pack".utf8))
        let otherLease = try await harness.openLease(other)
        let write = try await harness.send("PUT", "/machines/\(owner.id)/objects/data/\(Harness.name([1]))", machine: other,
                                           headers: [("Haven-Lease", otherLease)], body: [1])
        #expect(write.status == 403 && harness.errorCode(write) == "not_owner")
        let lock = String(repeating: "ab", count: 32)
        #expect(try await harness.send("PUT", "/machines/\(owner.id)/objects/locks/\(lock)", machine: owner, body: [1]).status == 201)
        #expect(try await harness.send("DELETE", "/machines/\(owner.id)/objects/locks/\(lock)", machine: other).status == 403)
        #expect(try await harness.send("DELETE", "/machines/\(owner.id)/objects/locks/\(lock)", machine: owner).status == 204)
        let keys = try await harness.send("DELETE", "/machines/\(owner.id)/objects/keys/\(name)", machine: owner)
        #expect(keys.status == 403 && harness.errorCode(keys) == "destroy_forbidden")
        #expect(try await harness.send("GET", "/machines/\(owner.id)/objects/data/not-a-hash", machine: owner).status == 400)
        #expect(try await harness.send("GET", "/machines/\(owner.id)/objects/data/..%2F..%2Fx", machine: owner).status == 404)
    }

    @Test("listing pages in ascending name order with next as the following page's after")
    func paging() async throws {
        let harness = try Harness()
        let machine = try await harness.register()
        let lease = try await harness.openLease(machine)
        var names: [String] = []
        for index in 0..<5 { names.append(try await harness.upload([UInt8(index)], kind: "index", machine: machine, lease: lease)) }
        names.sort()
        let first = try harness.decode(ObjectListPage.self, try await harness.send("GET", "/machines/\(machine.id)/objects/index?limit=2", machine: machine))
        #expect(first.objects.map(\.name) == Array(names[0..<2]))
        #expect(first.next == names[1])
        let last = try await harness.send("GET", "/machines/\(machine.id)/objects/index?limit=2&after=\(names[3])", machine: machine)
        #expect(try harness.decode(ObjectListPage.self, last).objects.map(\.name) == [names[4]])
        #expect(last.text.contains("\"next\":null"))
        #expect(try await harness.send("GET", "/machines/\(machine.id)/objects/index?limit=0", machine: machine).status == 400)
    }

    static func filesUnder(_ root: String) throws -> [String] {
        FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
    }

    /// Writes `bytes` to a fresh connection and closes it without reading the answer.
    static func sendRaw(port: UInt16, _ bytes: [UInt8]) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessError("cannot connect to port \(port)") }
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
