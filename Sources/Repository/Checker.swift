import Crypto
import Dispatch
import Foundation
import Synchronization
import ObjectStore

/// One thing `check` found wrong, naming the object it is in.
public struct CheckProblem: Sendable, Equatable, CustomStringConvertible {
    public var object: String
    public var message: String
    public var description: String { "\(object): \(message)" }
}

/// What `check` looked at and what it found.
public struct CheckReport: Sendable {
    public var keys = 0
    public var indexes = 0
    public var packs = 0
    public var blobs = 0
    public var trees = 0
    public var recoveryPoints = 0
    public var bytesRead: UInt64 = 0
    /// Packs that no index names: left by an interrupted backup, reused by the next one. Not an error.
    public var unindexedPacks: [String] = []
    public var problems: [CheckProblem] = []

    public var isHealthy: Bool { problems.isEmpty }
}

/// Verifies a repository: structure first, then (with `readData`) every byte of every pack.
public final class Checker {
    let repository: Repository
    private var report = CheckReport()

    /// `repository` should be opened with `loadIndex: false`: the checker loads the indexes itself, so a damaged one
    /// is reported instead of stopping the check.
    public init(repository: Repository) {
        self.repository = repository
    }

    public func run(readData: Bool) throws -> CheckReport {
        let store = repository.store
        try checkContentAddressed(.keys) { bytes, name in
            if (try? JSONDecoder().decode(KeyFile.self, from: Data(bytes))) == nil { problem("key \(name.prefix(16))", "is not a valid key file") }
            report.keys += 1
        }
        let opener = EnvelopeOpener(key: repository.key)
        try checkContentAddressed(.index) { bytes, name in
            report.indexes += 1
            do {
                let plaintext = try opener.openObject(bytes, what: "index \(name.prefix(16))")
                for (pack, entries) in try IndexFile.decode(plaintext, name: name) {
                    repository.index.add(pack: pack, entries: entries)
                }
            } catch {
                problem("index \(name.prefix(16))", "\(error)")
            }
        }
        let stored = try Repository.storeCall("list the packs") { try store.list(.data) }
        var sizes: [String: Int] = [:]
        for info in stored { sizes[info.key.name] = info.size }
        let indexed = repository.index.allBlobs()
        var byPack: [String: [(BlobID, BlobLocation)]] = [:]
        for entry in indexed { byPack[entry.1.pack, default: []].append(entry) }
        report.blobs = indexed.count
        report.packs = byPack.count
        report.unindexedPacks = stored.map(\.key.name).filter { byPack[$0] == nil }.sorted()
        for (pack, blobs) in byPack.sorted(by: { $0.key < $1.key }) {
            guard let size = sizes[pack] else {
                problem("pack \(pack.prefix(16))", "is named by the index but missing from the repository")
                continue
            }
            checkHeader(pack, size: size, indexed: blobs)
        }
        checkRecoveryPoints(opener: opener)
        if readData { try checkData(byPack: byPack, sizes: sizes) }
        return report
    }

    private func problem(_ object: String, _ message: String) {
        report.problems.append(CheckProblem(object: object, message: message))
    }

    /// Reads every object of a kind whose name is its SHA-256, checks the name, and hands the good ones on.
    private func checkContentAddressed(_ kind: ObjectKind, _ body: ([UInt8], String) throws -> Void) throws {
        for info in try Repository.storeCall("list \(kind.rawValue)", { try repository.store.list(kind) }) {
            let label = "\(kind.rawValue) \(info.key.name.prefix(16))"
            let bytes: [UInt8]
            do { bytes = try repository.store.get(info.key) } catch {
                problem(label, "cannot be read: \(error)")
                continue
            }
            report.bytesRead += UInt64(bytes.count)
            guard Hex.encode(SHA256.hash(bytes)) == info.key.name else {
                problem(label, "does not match its name (SHA-256): the object is damaged")
                continue
            }
            try body(bytes, info.key.name)
        }
    }

    private func checkHeader(_ pack: String, size: Int, indexed: [(BlobID, BlobLocation)]) {
        let entries: [PackEntry]
        do { entries = try repository.readPackHeader(pack, size: size) } catch {
            problem("pack \(pack.prefix(16))", "\(error)")
            return
        }
        var inHeader: [BlobID: PackEntry] = [:]
        for entry in entries { inHeader[entry.id] = entry }
        for (id, location) in indexed {
            guard let entry = inHeader[id], entry.offset == location.offset, entry.length == location.length,
                entry.rawLength == location.rawLength, entry.type == location.type
            else {
                problem("pack \(pack.prefix(16))", "its header does not list blob \(id) where the index says it is")
                continue
            }
        }
    }

    private func checkRecoveryPoints(opener: EnvelopeOpener) {
        let reader = repository.makeBlobReader()
        var seenTrees: Set<BlobID> = []
        let names: [ObjectInfo]
        do { names = try repository.store.list(.recoveryPoints) } catch {
            problem("recovery points", "cannot be listed: \(error)")
            return
        }
        for info in names {
            report.recoveryPoints += 1
            let point: StoredRecoveryPoint
            do { point = try repository.loadRecoveryPoint(info.key.name, opener: opener) } catch {
                problem("recovery point \(info.key.name.prefix(8))", "\(error)")
                continue
            }
            guard let root = point.point.treeID else {
                problem("recovery point \(point.shortID)", "names no valid root tree")
                continue
            }
            var stack = [root]
            while let id = stack.popLast() {
                guard seenTrees.insert(id).inserted else { continue }
                report.trees += 1
                let tree: Tree
                do { tree = try reader.loadTree(id) } catch {
                    problem("tree \(id) (recovery point \(point.shortID))", "\(error)")
                    continue
                }
                for node in tree.nodes {
                    if let subtree = node.subtree { stack.append(subtree) }
                    for blob in node.content where !repository.index.contains(blob) {
                        problem("tree \(id) (recovery point \(point.shortID))",
                                "file \"\(node.displayName)\" needs blob \(blob), which no index names")
                    }
                }
            }
        }
    }

    /// Reads every indexed pack whole: its hash must match its name and every blob must decrypt to its id.
    private func checkData(byPack: [String: [(BlobID, BlobLocation)]], sizes: [String: Int]) throws {
        let packs = byPack.keys.filter { sizes[$0] != nil }.sorted()
        let results = ResultsBox(count: packs.count)
        let repository = self.repository
        DispatchQueue.concurrentPerform(iterations: min(packs.count, ProcessInfo.processInfo.activeProcessorCount)) { worker in
            let reader = repository.makeBlobReader()
            var index = worker
            let stride = min(packs.count, ProcessInfo.processInfo.activeProcessorCount)
            while index < packs.count {
                results.set(index, Checker.checkPack(packs[index], blobs: byPack[packs[index]]!, reader: reader))
                index += stride
            }
        }
        for (problems, bytes) in results.values {
            report.problems.append(contentsOf: problems)
            report.bytesRead += bytes
        }
    }

    private static func checkPack(_ pack: String, blobs: [(BlobID, BlobLocation)], reader: BlobReader) -> ([CheckProblem], UInt64) {
        let label = "pack \(pack.prefix(16))"
        let bytes: [UInt8]
        do { bytes = try reader.repository.store.get(ObjectKey(.data, pack)) } catch {
            return ([CheckProblem(object: label, message: "cannot be read: \(error)")], 0)
        }
        var problems: [CheckProblem] = []
        if Hex.encode(SHA256.hash(bytes)) != pack {
            problems.append(CheckProblem(object: label, message: "does not match its name (SHA-256): the pack is damaged"))
        }
        for (id, location) in blobs {
            let end = Int(location.offset) + Int(location.length)
            guard end <= bytes.count else {
                problems.append(CheckProblem(object: label, message: "blob \(id) lies beyond the end of the pack"))
                continue
            }
            do { _ = try reader.open(Array(bytes[Int(location.offset)..<end]), id: id, location: location) } catch {
                problems.append(CheckProblem(object: label, message: "\(error)"))
            }
        }
        return (problems, UInt64(bytes.count))
    }
}

/// Per-pack results written by concurrent workers, each to its own slot.
private final class ResultsBox: Sendable {
    private let slots: Mutex<[([CheckProblem], UInt64)]>

    init(count: Int) {
        slots = Mutex(Array(repeating: ([], 0), count: count))
    }

    func set(_ index: Int, _ value: ([CheckProblem], UInt64)) { slots.withLock { $0[index] = value } }

    var values: [([CheckProblem], UInt64)] { slots.withLock { $0 } }
}
