/// The table behind `MasterIndex`: packs by number, blobs with their slot, and the index object that locates each
/// pack. A value, so `IndexCache` can keep one between opens and hand each repository a copy.
struct IndexTable: Sendable {
    struct Slot: Sendable {
        var pack: Int32
        var type: BlobType
        var offset: UInt32
        var length: UInt32
        var rawLength: UInt32
    }

    var packIDs: [String] = []
    var packNumbers: [String: Int32] = [:]
    var blobs: [BlobID: Slot] = [:]
    /// The index object that locates each pack's blobs, by pack number; absent until one is stored.
    var indexObjects: [Int32: String] = [:]

    func location(_ slot: Slot) -> BlobLocation {
        BlobLocation(pack: packIDs[Int(slot.pack)], type: slot.type, offset: slot.offset, length: slot.length,
                     rawLength: slot.rawLength)
    }

    /// Records the blobs of `pack`, and the index object that lists them when known (the first one recorded stays).
    /// Calls `duplicate` for every blob the table already located in another pack.
    mutating func add(pack: String, entries: [PackEntry], indexObject: String?, duplicate: (BlobID) -> Void = { _ in }) {
        let number: Int32
        if let existing = packNumbers[pack] {
            number = existing
        } else {
            number = Int32(packIDs.count)
            packIDs.append(pack)
            packNumbers[pack] = number
        }
        for entry in entries {
            let slot = Slot(pack: number, type: entry.type, offset: entry.offset, length: entry.length, rawLength: entry.rawLength)
            if let previous = blobs.updateValue(slot, forKey: entry.id), previous.pack != number { duplicate(entry.id) }
        }
        if let indexObject, indexObjects[number] == nil { indexObjects[number] = indexObject }
    }

    /// Forgets `packs` and every blob located in them. Their numbers are not reused, so locations stay valid.
    mutating func remove(packs: Set<String>) {
        let numbers = Set(packs.compactMap { packNumbers[$0] })
        guard !numbers.isEmpty else { return }
        blobs = blobs.filter { !numbers.contains($0.value.pack) }
        for pack in packs { packNumbers[pack] = nil }
        for number in numbers { indexObjects[number] = nil }
    }

    /// The blobs located in `packs`.
    func blobs(in packs: Set<String>) -> [BlobID] {
        let numbers = Set(packs.compactMap { packNumbers[$0] })
        return numbers.isEmpty ? [] : blobs.compactMap { numbers.contains($0.value.pack) ? $0.key : nil }
    }
}
