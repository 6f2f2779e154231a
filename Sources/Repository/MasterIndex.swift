import Glibc

/// Where a blob is stored: the pack, and the envelope's place in it.
public struct BlobLocation: Sendable, Equatable {
    public var pack: String
    public var type: BlobType
    public var offset: UInt32
    public var length: UInt32
    public var rawLength: UInt32
}

/// The in-memory union of every index object, plus the blobs claimed by writers of this process.
///
/// `@unchecked Sendable`: every access to the mutable tables happens under `lock`.
public final class MasterIndex: @unchecked Sendable {
    private struct Slot {
        var pack: Int32
        var type: BlobType
        var offset: UInt32
        var length: UInt32
        var rawLength: UInt32
    }

    private var lock = pthread_mutex_t()
    private var packIDs: [String] = []
    private var packNumbers: [String: Int32] = [:]
    private var blobs: [BlobID: Slot] = [:]
    private var claimed: Set<BlobID> = []

    public init() {
        pthread_mutex_init(&lock, nil)
    }

    deinit { pthread_mutex_destroy(&lock) }

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return try body()
    }

    /// Records the blobs of a stored pack.
    public func add(pack: String, entries: [PackEntry]) {
        locked {
            let number: Int32
            if let existing = packNumbers[pack] {
                number = existing
            } else {
                number = Int32(packIDs.count)
                packIDs.append(pack)
                packNumbers[pack] = number
            }
            for entry in entries {
                blobs[entry.id] = Slot(pack: number, type: entry.type, offset: entry.offset, length: entry.length,
                                       rawLength: entry.rawLength)
                claimed.remove(entry.id)
            }
        }
    }

    public func location(of id: BlobID) -> BlobLocation? {
        locked {
            guard let slot = blobs[id] else { return nil }
            return BlobLocation(pack: packIDs[Int(slot.pack)], type: slot.type, offset: slot.offset, length: slot.length,
                                rawLength: slot.rawLength)
        }
    }

    public func contains(_ id: BlobID) -> Bool { locked { blobs[id] != nil } }

    /// True when the caller should store the blob: nobody has it, and nobody else is storing it.
    func claim(_ id: BlobID) -> Bool {
        locked {
            if blobs[id] != nil { return false }
            return claimed.insert(id).inserted
        }
    }

    /// Gives up a claim whose blob was not stored.
    func release(_ id: BlobID) { _ = locked { claimed.remove(id) } }

    public var blobCount: Int { locked { blobs.count } }
    public var packs: [String] { locked { packIDs } }
    public func hasPack(_ pack: String) -> Bool { locked { packNumbers[pack] != nil } }

    /// Every blob with its location, for check and statistics.
    public func allBlobs() -> [(BlobID, BlobLocation)] {
        locked {
            blobs.map { id, slot in
                (id, BlobLocation(pack: packIDs[Int(slot.pack)], type: slot.type, offset: slot.offset,
                                  length: slot.length, rawLength: slot.rawLength))
            }
        }
    }
}
