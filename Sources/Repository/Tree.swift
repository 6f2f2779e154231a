/// A directory's listing as a tree blob: nodes sorted bytewise by name, in the binary layout of docs/format.md.
public struct Tree: Sendable, Equatable {
    static let magic = Array("HVTR".utf8)

    public var nodes: [Node]

    public init(nodes: [Node]) {
        self.nodes = nodes.sorted { $0.name.lexicographicallyPrecedes($1.name) }
    }

    /// Finds a node by name (binary search over the sorted nodes).
    public func node(named name: [UInt8]) -> Node? {
        var low = 0
        var high = nodes.count
        while low < high {
            let mid = (low + high) / 2
            if nodes[mid].name == name { return nodes[mid] }
            if nodes[mid].name.lexicographicallyPrecedes(name) { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    public func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 64 + nodes.count * 160)
        w.append(contentsOf: Tree.magic)
        w.append(1)
        w.appendUVarint(UInt64(nodes.count))
        for node in nodes {
            w.appendBytes(node.name)
            w.append(node.kind.rawValue)
            w.appendUVarint(UInt64(node.mode))
            w.appendUVarint(UInt64(node.uid))
            w.appendUVarint(UInt64(node.gid))
            w.appendBytes(node.user)
            w.appendBytes(node.group)
            w.appendSVarint(node.mtimeSeconds)
            w.appendUVarint(UInt64(node.mtimeNanoseconds))
            w.appendSVarint(node.ctimeSeconds)
            w.appendUVarint(UInt64(node.ctimeNanoseconds))
            w.appendUVarint(node.size)
            w.appendUVarint(node.inode)
            w.appendUVarint(node.device)
            w.appendUVarint(node.links)
            w.appendUVarint(node.rdev)
            w.appendBytes(node.linkTarget)
            w.appendUVarint(UInt64(node.xattrs.count))
            for xattr in node.xattrs {
                w.appendBytes(xattr.name)
                w.appendBytes(xattr.value)
            }
            w.appendUVarint(UInt64(node.content.count))
            for id in node.content { w.append(id) }
            w.appendUVarint(UInt64(node.holes.count))
            for hole in node.holes {
                w.appendUVarint(hole.offset)
                w.appendUVarint(hole.length)
            }
            if let subtree = node.subtree {
                w.append(1)
                w.append(subtree)
            } else {
                w.append(0)
            }
        }
        return w.bytes
    }

    /// Parses a tree blob; any deviation from the format (including unsorted or unsafe names) is a `FormatError`.
    public static func decode(_ bytes: [UInt8], id: BlobID) throws(FormatError) -> Tree {
        var r = ByteReader(bytes, what: "tree \(id)")
        guard try r.readBytes(count: 4) == magic, try r.readByte() == 1 else {
            throw FormatError("tree \(id) is not in a known format")
        }
        let count = try r.readCount(elementSize: 20)
        var nodes: [Node] = []
        nodes.reserveCapacity(count)
        for _ in 0..<count {
            let name = try r.readLengthPrefixed()
            guard let kind = NodeKind(rawValue: try r.readByte()) else {
                throw FormatError("tree \(id) holds an entry of unknown kind")
            }
            var node = Node(name: name, kind: kind)
            node.mode = UInt32(truncatingIfNeeded: try r.readUVarint())
            node.uid = UInt32(truncatingIfNeeded: try r.readUVarint())
            node.gid = UInt32(truncatingIfNeeded: try r.readUVarint())
            node.user = try r.readLengthPrefixed()
            node.group = try r.readLengthPrefixed()
            node.mtimeSeconds = try r.readSVarint()
            node.mtimeNanoseconds = UInt32(truncatingIfNeeded: try r.readUVarint())
            node.ctimeSeconds = try r.readSVarint()
            node.ctimeNanoseconds = UInt32(truncatingIfNeeded: try r.readUVarint())
            node.size = try r.readUVarint()
            node.inode = try r.readUVarint()
            node.device = try r.readUVarint()
            node.links = try r.readUVarint()
            node.rdev = try r.readUVarint()
            node.linkTarget = try r.readLengthPrefixed()
            let xattrCount = try r.readCount(elementSize: 2)
            for _ in 0..<xattrCount {
                node.xattrs.append(ExtendedAttribute(name: try r.readLengthPrefixed(), value: try r.readLengthPrefixed()))
            }
            let contentCount = try r.readCount(elementSize: 32)
            node.content.reserveCapacity(contentCount)
            for _ in 0..<contentCount { node.content.append(try r.readBlobID()) }
            let holeCount = try r.readCount(elementSize: 2)
            for _ in 0..<holeCount { node.holes.append(Hole(offset: try r.readUVarint(), length: try r.readUVarint())) }
            if try r.readByte() == 1 { node.subtree = try r.readBlobID() }
            if let last = nodes.last, !last.name.lexicographicallyPrecedes(name) {
                throw FormatError("tree \(id) is not sorted or repeats the name \"\(node.displayName)\"")
            }
            nodes.append(node)
        }
        guard r.isAtEnd else { throw FormatError("tree \(id) has \(r.remaining) trailing bytes") }
        var tree = Tree(nodes: [])
        tree.nodes = nodes
        return tree
    }
}
