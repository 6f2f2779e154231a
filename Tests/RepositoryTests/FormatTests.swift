import Crypto
import Repository
import Testing

@Suite("Tree encoding")
struct TreeEncodingTests {
    private func sampleNode(_ name: [UInt8]) -> Node {
        var node = Node(name: name, kind: .regular)
        node.mode = 0o4755
        node.uid = 1234
        node.gid = 5678
        node.user = Array("alice".utf8)
        node.group = Array("staff".utf8)
        node.mtimeSeconds = -5
        node.mtimeNanoseconds = 999_999_999
        node.ctimeSeconds = 1_700_000_000
        node.size = 1 << 40
        node.inode = 42
        node.device = 2049
        node.links = 2
        node.xattrs = [ExtendedAttribute(name: Array("user.a".utf8), value: [0, 255])]
        node.content = [BlobID(bytes: Array(repeating: 7, count: 32))!]
        node.holes = [Hole(offset: 4096, length: 1 << 30)]
        return node
    }

    @Test("every field survives a round trip, including names that are not UTF-8")
    func roundTrip() throws {
        var directory = Node(name: [0xff, 0xfe, 0x41], kind: .directory)
        directory.subtree = BlobID(bytes: Array(repeating: 1, count: 32))
        var link = Node(name: Array("link".utf8), kind: .symlink)
        link.linkTarget = [0x2f, 0x80, 0x81]
        var device = Node(name: Array("dev".utf8), kind: .blockDevice)
        device.rdev = 0x0700
        let tree = Tree(nodes: [sampleNode(Array("b".utf8)), directory, link, device])
        let id = BlobID(bytes: Array(repeating: 3, count: 32))!
        #expect(try Tree.decode(tree.encoded(), id: id) == tree)
        #expect(tree.nodes.map(\.name) == [Array("b".utf8), Array("dev".utf8), Array("link".utf8), [0xff, 0xfe, 0x41]])
    }

    @Test("a truncated tree is an error at every length, never a crash")
    func truncated() {
        let bytes = Tree(nodes: [sampleNode(Array("a".utf8)), sampleNode(Array("b".utf8))]).encoded()
        let id = BlobID(bytes: Array(repeating: 3, count: 32))!
        for length in 0..<bytes.count {
            #expect(throws: FormatError.self) { try Tree.decode(Array(bytes[0..<length]), id: id) }
        }
    }

    @Test("a tree with repeated or unsorted names is refused")
    func unsortedRefused() {
        var tree = Tree(nodes: [sampleNode(Array("a".utf8))])
        tree.nodes.append(sampleNode(Array("a".utf8)))
        let id = BlobID(bytes: Array(repeating: 3, count: 32))!
        #expect(throws: FormatError.self) { try Tree.decode(tree.encoded(), id: id) }
    }

    @Test("random garbage never decodes silently into a huge allocation")
    func garbage() {
        let id = BlobID(bytes: Array(repeating: 3, count: 32))!
        for _ in 0..<200 {
            var bytes = Array("HVTR".utf8) + [1]
            bytes += SecureRandom.bytes(Int.random(in: 0..<200))
            _ = try? Tree.decode(bytes, id: id)
        }
    }

    @Test("data ranges are the complement of the holes")
    func dataRanges() {
        var node = Node(name: [1], kind: .regular)
        node.size = 100
        node.holes = [Hole(offset: 0, length: 10), Hole(offset: 50, length: 20)]
        #expect(node.dataRanges == [10..<50, 70..<100])
        node.holes = [Hole(offset: 90, length: 10)]
        #expect(node.dataRanges == [0..<90])
    }
}

@Suite("Blob ids")
struct BlobIDTests {
    @Test("hex round trip and refusal of malformed hex")
    func hex() {
        let id = BlobID(bytes: (0..<32).map { UInt8($0 * 7) })!
        #expect(BlobID(hex: id.hex) == id)
        #expect(BlobID(hex: String(id.hex.dropLast())) == nil)
        #expect(BlobID(hex: id.hex.uppercased()) == nil)
        #expect(BlobID(bytes: [1, 2]) == nil)
    }
}
