import Crypto
import ObjectStore
import Repository
import Testing

@Suite("Envelopes: tampering is refused, nonces never repeat")
struct EnvelopeTests {
    /// The raw envelope of the first blob of the only pack, with its location.
    private func firstBlob(_ temp: TemporaryRepository) throws -> (Repository, BlobID, BlobLocation, [UInt8]) {
        let repository = try temp.reopen()
        let (id, location) = try #require(repository.index.allBlobs().first { $0.1.type == .data })
        let envelope = try temp.store.get(ObjectKey(.data, location.pack),
                                          range: Int(location.offset)..<Int(location.offset + location.length))
        return (repository, id, location, envelope)
    }

    @Test("changing any single byte of a blob's envelope (header, ciphertext or tag) is refused")
    func everyByteIsAuthenticated() throws {
        let temp = try TemporaryRepository()
        try temp.commit([Array("a small blob that compresses a little, a little, a little".utf8)])
        let (repository, id, location, envelope) = try firstBlob(temp)
        let reader = repository.makeBlobReader()
        #expect(try reader.open(envelope, id: id, location: location) == Array("a small blob that compresses a little, a little, a little".utf8))
        for position in envelope.indices {
            var damaged = envelope
            damaged[position] ^= 0x01
            #expect(throws: RepositoryError.self, "byte \(position) changed and accepted") {
                try reader.open(damaged, id: id, location: location)
            }
        }
        #expect(throws: RepositoryError.self) { try reader.open(Array(envelope.dropLast()), id: id, location: location) }
        #expect(throws: RepositoryError.self) { try reader.open([], id: id, location: location) }
    }

    @Test("a blob presented under another blob's id is refused")
    func swappedBlobIsRefused() throws {
        let temp = try TemporaryRepository()
        try temp.commit([[1, 2, 3], [4, 5, 6]])
        let repository = try temp.reopen()
        let blobs = repository.index.allBlobs().filter { $0.1.type == .data }
        try #require(blobs.count == 2)
        let (idA, locationA) = blobs[0]
        let (idB, _) = blobs[1]
        let envelope = try temp.store.get(ObjectKey(.data, locationA.pack),
                                          range: Int(locationA.offset)..<Int(locationA.offset + locationA.length))
        _ = idA
        #expect(throws: RepositoryError.self) { try repository.makeBlobReader().open(envelope, id: idB, location: locationA) }
    }

    @Test("two writers never share a session, and no (session, counter) pair is used twice")
    func noncesNeverRepeat() throws {
        let temp = try TemporaryRepository()
        try temp.commit((0..<20).map { Array("blob \($0)".utf8) })
        try temp.commit((0..<20).map { Array("other blob \($0)".utf8) })
        let repository = try temp.reopen()
        var sessions: [[UInt8]: [UInt64]] = [:]
        var seen: Set<[UInt8]> = []
        for (_, location) in repository.index.allBlobs() {
            let header = try temp.store.get(ObjectKey(.data, location.pack), range: Int(location.offset)..<Int(location.offset) + 25)
            #expect(header[0] == 1)
            let session = Array(header[1..<17])
            var counter: UInt64 = 0
            for (shift, byte) in header[17..<25].enumerated() { counter |= UInt64(byte) << (8 * UInt64(shift)) }
            sessions[session, default: []].append(counter)
            #expect(seen.insert(Array(header[1..<25])).inserted, "a (session, counter) pair was used twice")
        }
        // Each commit wrote its blobs with its own writer: at least two sessions.
        #expect(sessions.count >= 2)
        for counters in sessions.values { #expect(Set(counters).count == counters.count) }
    }
}
