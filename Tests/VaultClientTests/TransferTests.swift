import Foundation
import ObjectStore
import Synchronization
import Testing
import VaultClient

@Suite("VaultObjectStore transfers: retries, resumption, ranges, paging, parallel uploads")
struct TransferTests {
    static func object(_ count: Int, seed: UInt8 = 1) throws -> (ObjectKey, [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        if !bytes.isEmpty { bytes[0] = seed }
        return (try ObjectKey(.data, LoopbackVault.hasher(bytes)), bytes)
    }

    @Test("503 and 429 answers are retried with backoff until the vault takes the upload")
    func retriesServerFailures() throws {
        let vault = try LoopbackVault()
        let store = try vault.store("web-01")
        let (key, bytes) = try Self.object(200_000)
        _ = try store.list(.data)  // authenticate once before counting
        vault.recorder.reset()
        vault.recorder.fail(next: 1, status: 503)
        vault.recorder.fail(next: 1, status: 429)
        try store.put(key, bytes)
        #expect(try store.get(key) == bytes)
        #expect(store.statistics.retries == 2)
        #expect(vault.recorder.entries.prefix(2).map(\.status) == [503, 429])
    }

    @Test("a 4xx answer is never retried, and retries give up after the policy's attempts with the vault's message")
    func neverRetries4xxAndGivesUp() throws {
        let vault = try LoopbackVault()
        let store = try vault.store("web-01")
        let (key, bytes) = try Self.object(1000)
        vault.recorder.reset()
        vault.recorder.fail(next: 1, status: 400)
        let refused = #expect(throws: ObjectStoreError.self) { try store.get(key) }
        #expect(refused?.code == .io)
        #expect(vault.recorder.entries.count == 1)

        vault.recorder.reset()
        vault.recorder.fail(next: 10, status: 502)
        let unavailable = #expect(throws: ObjectStoreError.self) { try store.put(key, bytes) }
        #expect(unavailable?.code == .unavailable)
        #expect(unavailable?.message.contains("an injected failure") == true, "\(String(describing: unavailable))")
        #expect(vault.recorder.entries.count == LoopbackVault.settings.retry.attempts)
    }

    @Test("connection failures are retried with growing waits, then reported as unavailable")
    func retriesConnectionFailures() throws {
        let waits = Mutex<[Double]>([])
        var settings = VaultConnection.Settings(retry: RetryPolicy(attempts: 4, initialDelay: 0.01, maximumDelay: 1))
        settings.sleep = { seconds in waits.withLock { $0.append(seconds) } }
        // A port nothing listens on: bind one, then close it.
        let port = try closedPort()
        let connection = VaultConnection(address: "http://127.0.0.1:\(port)", publicKeySHA256: nil, machineId: String(repeating: "a", count: 32),
                                         secret: "secret", settings: settings)
        let store = VaultObjectStore(connection: connection, ownMachineId: String(repeating: "a", count: 32))
        let error = #expect(throws: ObjectStoreError.self) { try store.list(.index) }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("cannot reach the vault") == true)
        let recorded = waits.withLock { $0 }
        #expect(recorded.count == 3)
        #expect(recorded == recorded.sorted() && recorded[2] > recorded[0] * 2)
    }

    @Test("an upload the vault already has sends no body the second time: one HEAD, no PUT")
    func resumption() throws {
        let vault = try LoopbackVault()
        let store = try vault.store("web-01")
        let (key, bytes) = try Self.object(3 << 20)
        try store.put(key, bytes)
        let firstPut = vault.recorder.entries.filter { $0.method == "PUT" && $0.path.contains("/objects/data/") }
        #expect(firstPut.map(\.bodyBytes) == [bytes.count])

        vault.recorder.reset()
        let before = store.statistics
        try store.put(key, bytes)
        #expect(vault.recorder.entries.map(\.method) == ["HEAD"])
        #expect(vault.recorder.entries.reduce(0) { $0 + $1.bodyBytes } == 0)
        #expect(store.statistics.bytesSent == before.bytesSent)
        #expect(store.statistics.uploadsSkipped == before.uploadsSkipped + 1)
    }

    @Test("ranged reads return the right bytes; a reader serves reads inside its read-ahead window without requests")
    func rangesAndReadAhead() throws {
        let vault = try LoopbackVault()
        var options = VaultObjectStore.Options()
        options.readAhead = 1 << 20
        let store = try vault.store("web-01", options: options)
        let (key, bytes) = try Self.object(3_000_000)
        try store.put(key, bytes)
        #expect(try store.get(key, range: 1000..<1010) == Array(bytes[1000..<1010]))
        #expect(try store.get(key, range: 2_999_999..<3_000_000) == [bytes[2_999_999]])
        #expect((try? store.get(key, range: 2_999_999..<3_000_001)) == nil)

        let reader = try store.openReader(key)
        vault.recorder.reset()
        for start in stride(from: 0, to: 1_000_000, by: 100_000) {
            #expect(try reader.read(start..<start + 100_000) == Array(bytes[start..<start + 100_000]))
        }
        #expect(vault.recorder.count("GET") == 1, "\(vault.recorder.entries.map { "\($0.method) \($0.path)" })")
        #expect(try reader.read(2_500_000..<3_000_000) == Array(bytes[2_500_000..<3_000_000]))
        #expect(vault.recorder.count("GET") == 2)
        let outside = #expect(throws: ObjectStoreError.self) { try reader.read(2_999_000..<3_000_100) }
        #expect(outside?.code == .rangeNotSatisfiable)
    }

    @Test("listing follows the vault's pages to the end")
    func paging() throws {
        let vault = try LoopbackVault()
        var options = VaultObjectStore.Options()
        options.listPageSize = 7
        let store = try vault.store("web-01", options: options)
        var keys = Set<ObjectKey>()
        for index in 0..<30 {
            let (key, bytes) = try Self.object(10 + index, seed: UInt8(index))
            try store.put(key, bytes)
            keys.insert(key)
        }
        vault.recorder.reset()
        let listed = try store.list(.data)
        #expect(Set(listed.map(\.key)) == keys)
        #expect(listed.count == 30)
        #expect(vault.recorder.count("GET", containing: "/objects/data") == 5)
    }

    @Test("8 threads uploading at once all succeed over a few reused connections")
    func parallelUploads() throws {
        let vault = try LoopbackVault()
        let store = try vault.store("web-01")
        let objects = try (0..<32).map { try Self.object(50_000 + $0, seed: UInt8($0)) }
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in stride(from: thread, to: objects.count, by: 8) {
                do { try store.put(objects[index].0, objects[index].1) } catch { failures.withLock { $0.append("\(error)") } }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(Set(try store.list(.data).map(\.key)) == Set(objects.map(\.0)))
        #expect(vault.recorder.count("POST", containing: "/leases") == 1, "one lease serves every thread")
        #expect(vault.server.acceptedConnections <= 16, "\(vault.server.acceptedConnections) connections for \(vault.recorder.entries.count) requests")
    }
}

/// A loopback port that was free a moment ago and on which nothing listens now.
func closedPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return UInt16(bigEndian: address.sin_port)
}
