import Crypto
import FileIO
import ObjectStore
import Repository
import Testing

@Suite("check finds any flipped bit in any object and names it")
struct CheckerTests {
    private func check(_ temp: TemporaryRepository, readData: Bool) throws -> CheckReport {
        try Checker(repository: try temp.reopen(loadIndex: false)).run(readData: readData)
    }

    @Test("a healthy repository passes check --read-data")
    func healthy() throws {
        let temp = try TemporaryRepository()
        try temp.commit([TemporaryRepository.randomBytes(70_000), TemporaryRepository.randomBytes(3)])
        let report = try check(temp, readData: true)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.packs == 1 && report.blobs == 3 && report.trees == 1 && report.recoveryPoints == 1 && report.indexes == 1)
    }

    @Test("flipping any single byte of any pack, index, recovery point or key object is found, and the object named",
          arguments: [ObjectKind.data, .index, .recoveryPoints, .keys])
    func flippedByte(kind: ObjectKind) throws {
        let temp = try TemporaryRepository()
        try temp.commit([TemporaryRepository.randomBytes(4000), Array(repeating: 1, count: 4000)])
        // With a second key slot, a damaged first slot leaves the repository openable, and check must name it.
        let spare = Array("the spare passphrase".utf8)
        let spareSlot = try temp.repository.addKeySlot(passphrase: spare, cost: .testing, identity: TemporaryRepository.identity)
        let object = try temp.store.list(kind).first { $0.key.name != spareSlot }!
        let path = temp.store.path(for: object.key)
        let original = try FileIO.readFile(path)
        // Every position would take long for packs; sample positions across the whole object, ends included.
        let positions = Set([0, 1, original.count / 3, original.count / 2, original.count - 5, original.count - 1]
                            + (0..<12).map { _ in Int.random(in: 0..<original.count) })
        for position in positions {
            var bytes = original
            bytes[position] ^= 0x10
            try FileIO.writeFileAtomically(path, bytes)
            let opened = try Repository.open(store: temp.store, passphrase: spare, loadIndex: false)
            let report = try Checker(repository: opened).run(readData: true)
            #expect(!report.problems.isEmpty, "byte \(position) of \(object.key) flipped, not found")
            #expect(report.problems.contains { $0.object.contains(String(object.key.name.prefix(16))) || $0.object.contains(String(object.key.name.prefix(8))) },
                    "byte \(position) of \(object.key): \(report.problems)")
        }
        try FileIO.writeFileAtomically(path, original)
        #expect(try check(temp, readData: true).problems.isEmpty)
    }

    @Test("a missing pack is reported without --read-data")
    func missingPack() throws {
        let temp = try TemporaryRepository()
        try temp.commit([[1, 2, 3]])
        let pack = try temp.store.list(.data)[0]
        try temp.store.delete(pack.key)
        let report = try check(temp, readData: false)
        #expect(report.problems.contains { $0.message.contains("missing") })
    }
}
