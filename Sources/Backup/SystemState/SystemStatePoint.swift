/// SystemStatePoint owns reading a system-state recovery point: its manifest (untrusted), what each component holds,
/// and the System State file (one .tar.gz with the manifest and a README) written from it.
import Compression
import Foundation
import Repository

/// A system-state recovery point, opened for reading. Not Sendable (it caches trees and packs): one per request.
public final class SystemStatePoint {
    let repository: Repository
    public let point: StoredRecoveryPoint
    let walker: TreeWalker
    let reader: BlobReader

    public init(repository: Repository, point: StoredRecoveryPoint) {
        self.repository = repository
        self.point = point
        walker = TreeWalker(repository: repository)
        reader = repository.makeBlobReader()
    }

    /// The manifest the point holds, checked as untrusted input.
    public func manifest() throws -> SystemStateManifest {
        var found: Node?
        do {
            try walker.list(point, under: SystemStateManifest.manifestPath) { entry in
                if entry.components.count == 2 { found = entry.node }
            }
        } catch let error as RepositoryError where error.code == .invalidArgument {
            throw SystemStateError("recovery point \(point.shortID) holds no system state manifest (\(SystemStateManifest.manifestPath)): "
                + "it is not a system state recovery point")
        }
        guard let node = found, node.kind == .regular, node.holes.isEmpty else {
            throw SystemStateError("the system state manifest of recovery point \(point.shortID) is not a regular file")
        }
        guard node.size <= UInt64(SystemStateManifest.maxSize) else {
            throw SystemStateError("the system state manifest of recovery point \(point.shortID) is \(node.size) bytes, more than the "
                + "\(SystemStateManifest.maxSize) a manifest may be")
        }
        var bytes: [UInt8] = []
        for id in node.content {
            bytes += try reader.load(id)
            guard bytes.count <= SystemStateManifest.maxSize else { throw SystemStateError("the system state manifest is larger than its size") }
        }
        guard bytes.count == Int(node.size) else {
            throw SystemStateError("the system state manifest of recovery point \(point.shortID) holds \(bytes.count) bytes, not its \(node.size)")
        }
        return try SystemStateManifest.decode(bytes)
    }

    /// How many regular files and bytes the point holds for a component (its live paths and its outputs).
    public func contents(of component: SystemStateManifest.Component) throws -> (files: Int, bytes: UInt64) {
        var files = 0
        var bytes: UInt64 = 0
        for path in SystemStateCollector.outermost(component.recordedPaths) {
            do {
                try walker.list(point, under: path) { entry in
                    if entry.node.kind == .regular {
                        files += 1
                        bytes += entry.node.size
                    }
                }
            } catch let error as RepositoryError where error.code == .invalidArgument {
                continue
            }
        }
        return (files, bytes)
    }

    /// What a System State file holds.
    public struct FileSummary: Sendable, Equatable {
        /// `haven-system-state-HOST-YYYYMMDD-HHMMSS`: the file's name without `.tar.gz`, and its top folder.
        public var name: String
        public var files = 0
        public var bytes: UInt64 = 0
        /// Entries left out (devices, sockets, fifos), as paths inside the point.
        public var leftOut: [String] = []
    }

    /// The name of the System State file of this point.
    public func fileName(hostname: String) -> String {
        let host = String(hostname.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == ".")
                ? Character(scalar) : "_"
        }.prefix(64))
        let digits = point.point.time.filter(\.isNumber).prefix(14)
        let stamp = digits.count == 14 ? digits.prefix(8) + "-" + digits.suffix(6) : Substring(point.shortID)
        return "haven-system-state-\(host.isEmpty ? "machine" : host)-\(stamp)"
    }

    /// Writes the System State file (gzip-compressed tar, docs/system-state.md) to `sink`.
    public func writeFile(to sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws -> FileSummary {
        let manifest = try manifest()
        var summary = FileSummary(name: fileName(hostname: manifest.hostname))
        let gzip = try GzipWriter(level: 6, sink: sink)
        let tar = TarWriter { try gzip.write($0) }
        let top = Array(summary.name.utf8)
        let time = Int64(Self.date(point.point.time)?.timeIntervalSince1970 ?? 0)
        try tar.addDirectory(top, TarWriter.Metadata(mode: 0o700, mtime: time))
        let manifestBytes = try manifest.encoded()
        try tar.addFile(top + Array("/manifest.json".utf8), manifestBytes, TarWriter.Metadata(mode: 0o600, mtime: time))
        for folder in ["files", "collected"] { try tar.addDirectory(top + Array("/\(folder)".utf8), TarWriter.Metadata(mode: 0o700, mtime: time)) }
        let virtualRoot = Array(SystemStateManifest.virtualRoot.dropFirst().utf8)
        for path in point.point.paths.sorted() {
            do {
                try walker.list(point, under: path) { entry in
                    try Self.checkNames(entry.components)
                    var components = entry.components
                    let base: [UInt8]
                    if components.first == virtualRoot {
                        components.removeFirst()
                        if components == [Array("manifest.json".utf8)] || components.isEmpty { return }
                        base = top + Array("/collected".utf8)
                    } else {
                        base = top + Array("/files".utf8)
                    }
                    let name = base + components.flatMap { [UInt8(ascii: "/")] + $0 }
                    try add(entry, as: name, to: tar, summary: &summary)
                }
            } catch let error as RepositoryError where error.code == .invalidArgument {
                continue
            }
        }
        let readme = SystemStateReadme.text(manifest, point: point, summary: summary)
        try tar.addFile(top + Array("/README.md".utf8), Array(readme.utf8), TarWriter.Metadata(mode: 0o644, mtime: time))
        try tar.finish()
        try gzip.finish()
        return summary
    }

    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// Names from an untrusted tree: never empty, ".", "..", nor holding "/" or NUL.
    static func checkNames(_ components: [[UInt8]]) throws {
        for name in components where name.isEmpty || name == [0x2E] || name == [0x2E, 0x2E] || name.contains(0) || name.contains(0x2F) {
            throw SystemStateError("the recovery point holds an entry named \(String(reflecting: Node.display(name))), which no archive "
                + "may hold; the point is damaged or crafted")
        }
    }

    private func add(_ entry: BrowsedEntry, as name: [UInt8], to tar: TarWriter, summary: inout FileSummary) throws {
        let node = entry.node
        let metadata = TarWriter.Metadata(mode: node.mode, uid: node.uid, gid: node.gid, user: node.user, group: node.group,
                                          mtime: node.mtimeSeconds)
        switch node.kind {
        case .directory:
            try tar.addDirectory(name, metadata)
        case .symlink:
            try tar.addSymlink(name, target: node.linkTarget, metadata)
        case .regular:
            try tar.beginFile(name, size: node.size, metadata)
            try writeContent(of: node, to: tar)
            try tar.endFile()
            summary.files += 1
            summary.bytes += node.size
        default:
            summary.leftOut.append(entry.path)
        }
    }

    /// The file's bytes: its blobs fill its data ranges in order; holes are written as zeros.
    private func writeContent(of node: Node, to tar: TarWriter) throws {
        var ranges = node.dataRanges.makeIterator()
        var current = ranges.next()
        var position: UInt64 = 0
        let zeros = [UInt8](repeating: 0, count: 64 * 1024)
        func fill(to offset: UInt64) throws {
            while position < offset {
                let count = Int(min(UInt64(zeros.count), offset - position))
                try zeros.withUnsafeBytes { try tar.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                position += UInt64(count)
            }
        }
        if let range = current { try fill(to: range.lowerBound) }
        for id in node.content {
            let data = try reader.load(id)
            var offset = 0
            while offset < data.count {
                guard let range = current else {
                    throw RepositoryError(.corrupt, "\(node.displayName) holds more data than its size \(node.size)")
                }
                let count = min(Int(range.upperBound - position), data.count - offset)
                try data.withUnsafeBytes { try tar.write(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + count])) }
                offset += count
                position += UInt64(count)
                if position == range.upperBound {
                    current = ranges.next()
                    if let next = current { try fill(to: next.lowerBound) }
                }
            }
        }
        guard current == nil else { throw RepositoryError(.corrupt, "\(node.displayName) holds less data than its size \(node.size)") }
        try fill(to: node.size)
    }
}
