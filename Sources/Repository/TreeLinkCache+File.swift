import FileIO
#if canImport(Glibc)
import Glibc
#endif

/// A tree link cache kept in a file between runs of the command line, so committing a point to the vault does not
/// read back every tree of it each run (the agent keeps its cache in memory instead).
///
/// The file is an object envelope sealed with the repository's key: it names the repository's trees and blobs, which
/// are nobody else's business, and a file that was damaged, swapped or written under another key fails to open and
/// is ignored. Trees never change, so an entry is never stale; the cache only ever saves reads.
extension Repository {
    static let treeLinksMagic = Array("haven-tree-links-1".utf8)

    /// Fills this repository's tree link cache from `path`. Returns how many trees it read; 0 when there is no
    /// cache, no file, or the file cannot be read, opened or parsed (it is then as good as absent: every tree is
    /// read from the store again, and the next save replaces the file).
    @discardableResult
    public func loadTreeLinks(from path: String) -> Int {
        guard let treeLinks, let sealed = try? FileIO.readFile(path) else { return 0 }
        guard let plaintext = try? EnvelopeOpener(key: key).openObject(sealed, what: "the tree link cache") else { return 0 }
        var reader = ByteReader(plaintext, what: "the tree link cache")
        var entries: [(BlobID, TreeLinkCache.Links)] = []
        do {
            guard try reader.readBytes(count: Self.treeLinksMagic.count) == Self.treeLinksMagic,
                  try reader.readLengthPrefixed() == Array(config.id.utf8) else { return 0 }
            let count = try reader.readCount(elementSize: 34)
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let tree = try reader.readBlobID()
                let content = try (0..<reader.readCount(elementSize: 32)).map { _ throws(FormatError) in try reader.readBlobID() }
                let subtrees = try (0..<reader.readCount(elementSize: 32)).map { _ throws(FormatError) in try reader.readBlobID() }
                entries.append((tree, TreeLinkCache.Links(content: content, subtrees: subtrees)))
            }
            guard reader.isAtEnd else { return 0 }
        } catch {
            return 0
        }
        for (tree, links) in entries { treeLinks.remember(links, of: tree) }
        treeLinks.markSaved()
        return entries.count
    }

    /// Writes this repository's tree link cache to `path` (atomically, mode 0600), creating its folder; nothing when
    /// the file already holds every tree remembered (loaded from it, or saved to it, and nothing new since).
    public func saveTreeLinks(to path: String) throws {
        guard let treeLinks, treeLinks.hasUnsaved || access(path, F_OK) != 0 else { return }
        let entries = treeLinks.entries()
        var writer = ByteWriter(capacity: 64 + entries.reduce(0) { $0 + 40 + 32 * ($1.1.content.count + $1.1.subtrees.count) })
        writer.append(contentsOf: Self.treeLinksMagic)
        writer.appendBytes(Array(config.id.utf8))
        writer.appendUVarint(UInt64(entries.count))
        for (tree, links) in entries {
            writer.append(tree)
            writer.appendUVarint(UInt64(links.content.count))
            for blob in links.content { writer.append(blob) }
            writer.appendUVarint(UInt64(links.subtrees.count))
            for subtree in links.subtrees { writer.append(subtree) }
        }
        let sealed = try EnvelopeSealer(key: key).sealObject(writer.bytes, compressor: nil)
        try FileIO.makeDirectories(FileIO.parentDirectory(of: path), mode: 0o700)
        try FileIO.writeFileAtomically(path, sealed, mode: 0o600, durable: false)
        treeLinks.markSaved()
    }
}
