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
    private struct Slot {
        var pack: Int32
        var type: BlobType
        var offset: UInt32
        var length: UInt32
        var rawLength: UInt32
    }

    private struct State {
        var packIDs: [String] = []
        var packNumbers: [String: Int32] = [:]
        var blobs: [BlobID: Slot] = [:]
        var claimed: Set<BlobID> = []
        /// The index object that locates each pack's blobs, by pack number; absent until one is stored.
        var indexObjects: [Int32: String] = [:]

        func location(_ slot: Slot) -> BlobLocation {
            BlobLocation(pack: packIDs[Int(slot.pack)], type: slot.type, offset: slot.offset, length: slot.length,
                         rawLength: slot.rawLength)
        }
    }

    private let state = Mutex(State())

    public init() {}

    /// Records the blobs of a stored pack, and `indexObject`, the stored index object that lists them, when known.
    public func add(pack: String, entries: [PackEntry], indexObject: String? = nil) {
        state.withLock { state in
            let number: Int32
            if let existing = state.packNumbers[pack] {
                number = existing
            } else {
                number = Int32(state.packIDs.count)
                state.packIDs.append(pack)
                state.packNumbers[pack] = number
            }
            for entry in entries {
                state.blobs[entry.id] = Slot(pack: number, type: entry.type, offset: entry.offset, length: entry.length,
                                             rawLength: entry.rawLength)
                if !state.claimed.isEmpty { state.claimed.remove(entry.id) }
            }
            if let indexObject, state.indexObjects[number] == nil { state.indexObjects[number] = indexObject }
        }
    }

    /// Makes room for `count` more blobs at once, so loading a large index does not grow the table step by step.
    func reserve(_ count: Int) {
        state.withLock { state in state.blobs.reserveCapacity(state.blobs.count + count) }
    }

    /// Records that the stored index object `name` lists the blobs of `packs`.
    func recordIndexObject(_ name: String, for packs: [String]) {
        state.withLock { state in
            for pack in packs {
                guard let number = state.packNumbers[pack], state.indexObjects[number] == nil else { continue }
                state.indexObjects[number] = name
            }
        }
    }

    /// The stored index object that locates the blobs of `pack` (the first one recorded); nil when none is known.
    public func indexObject(ofPack pack: String) -> String? {
        state.withLock { state in state.packNumbers[pack].flatMap { state.indexObjects[$0] } }
    }

    public func location(of id: BlobID) -> BlobLocation? {
        state.withLock { state in state.blobs[id].map { state.location($0) } }
    }

    public func contains(_ id: BlobID) -> Bool { state.withLock { $0.blobs[id] != nil } }

    /// True when the caller should store the blob: nobody has it, and nobody else is storing it.
    func claim(_ id: BlobID) -> Bool {
        state.withLock { state in
            if state.blobs[id] != nil { return false }
            return state.claimed.insert(id).inserted
        }
    }

    /// Gives up a claim whose blob was not stored.
    func release(_ id: BlobID) { _ = state.withLock { $0.claimed.remove(id) } }

    public var blobCount: Int { state.withLock { $0.blobs.count } }
    public func hasPack(_ pack: String) -> Bool { state.withLock { $0.packNumbers[pack] != nil } }

    /// Every blob with its location, for check and statistics.
    public func allBlobs() -> [(BlobID, BlobLocation)] {
        state.withLock { state in state.blobs.map { id, slot in (id, state.location(slot)) } }
    }
}
