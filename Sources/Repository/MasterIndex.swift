import Synchronization

/// Where a blob is stored: the pack, and the envelope's place in it.
public struct BlobLocation: Sendable, Equatable {
    public var pack: String
    public var type: BlobType
    public var offset: UInt32
    public var length: UInt32
    public var rawLength: UInt32
}

/// The in-memory union of every index object, plus the blobs claimed by writers of this process.
public final class MasterIndex: Sendable {
    private struct State {
        var table = IndexTable()
        var claimed: Set<BlobID> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Records the blobs of a stored pack, and `indexObject`, the stored index object that lists them, when known.
    public func add(pack: String, entries: [PackEntry], indexObject: String? = nil) {
        state.withLock { state in
            state.table.add(pack: pack, entries: entries, indexObject: indexObject)
            if !state.claimed.isEmpty { for entry in entries { state.claimed.remove(entry.id) } }
        }
    }

    /// Starts from `table` (what `IndexCache` kept): only for an index nothing was added to yet.
    func load(_ table: IndexTable) {
        state.withLock { state in state.table = table }
    }

    /// Makes room for `count` more blobs at once, so loading a large index does not grow the table step by step.
    func reserve(_ count: Int) {
        state.withLock { state in state.table.blobs.reserveCapacity(state.table.blobs.count + count) }
    }

    /// Records that the stored index object `name` lists the blobs of `packs`.
    func recordIndexObject(_ name: String, for packs: [String]) {
        state.withLock { state in
            for pack in packs {
                guard let number = state.table.packNumbers[pack], state.table.indexObjects[number] == nil else { continue }
                state.table.indexObjects[number] = name
            }
        }
    }

    /// The stored index object that locates the blobs of `pack` (the first one recorded); nil when none is known.
    public func indexObject(ofPack pack: String) -> String? {
        state.withLock { state in state.table.packNumbers[pack].flatMap { state.table.indexObjects[$0] } }
    }

    public func location(of id: BlobID) -> BlobLocation? {
        state.withLock { state in state.table.blobs[id].map { state.table.location($0) } }
    }

    public func contains(_ id: BlobID) -> Bool { state.withLock { $0.table.blobs[id] != nil } }

    /// True when the caller should store the blob: nobody has it, and nobody else is storing it.
    func claim(_ id: BlobID) -> Bool {
        state.withLock { state in
            if state.table.blobs[id] != nil { return false }
            return state.claimed.insert(id).inserted
        }
    }

    /// Gives up a claim whose blob was not stored.
    func release(_ id: BlobID) { _ = state.withLock { $0.claimed.remove(id) } }

    public var blobCount: Int { state.withLock { $0.table.blobs.count } }
    public func hasPack(_ pack: String) -> Bool { state.withLock { $0.table.packNumbers[pack] != nil } }

    /// Every blob with its location, for check and statistics.
    public func allBlobs() -> [(BlobID, BlobLocation)] {
        state.withLock { state in state.table.blobs.map { id, slot in (id, state.table.location(slot)) } }
    }
}
