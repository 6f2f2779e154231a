import ObjectStore

/// Conformance checks about reading back what was stored: whole objects, ranges, sizes and listings.
extension ObjectStoreConformance {
    func checkRoundTrip(_ store: any ObjectStore) throws {
        let samples: [(ObjectKind, [UInt8])] = [
            (.data, []),
            (.data, [0x5a]),
            (.data, Self.bytes(count: 20 << 20, seed: 1)),
            (.keys, Self.bytes(count: 300, seed: 2)),
            (.index, Self.bytes(count: 4096, seed: 3)),
            (.recoveryPoints, Self.bytes(count: 777, seed: 4)),
            (.locks, Self.bytes(count: 64, seed: 5)),
            (.config, Self.bytes(count: 120, seed: 6)),
        ]
        for (kind, bytes) in samples {
            let key = try put(bytes, as: kind, in: store)
            let read = try store.get(key)
            try expect(read == bytes, "get(\(key)) returned \(read.count) bytes that differ from the \(bytes.count) put")
        }
    }

    func checkRanges(_ store: any ObjectStore) throws {
        let bytes = Self.bytes(count: 1000, seed: 7)
        let key = try put(bytes, in: store)
        let inside: [Range<Int>] = [0..<10, 500..<600, 990..<1000, 0..<1000, 0..<0, 5..<5, 1000..<1000]
        for range in inside {
            let read = try store.get(key, range: range)
            try expect(read == Array(bytes[range]), "get(\(key), range: \(range)) returned the wrong \(read.count) bytes")
        }
        let outside: [Range<Int>] = [990..<1001, 1000..<1001, 2000..<2010, -1..<5]
        for range in outside {
            try expectError(.rangeNotSatisfiable, "get(range: \(range)) of a 1000-byte object") {
                try store.get(key, range: range)
            }
        }
        let missing = try self.key(.data, for: Self.bytes(count: 10, seed: 8))
        try expectError(.notFound, "get(range:) of a missing object") { try store.get(missing, range: 0..<1) }
    }

    func checkHeadSizes(_ store: any ObjectStore) throws {
        for (size, kind) in [(0, ObjectKind.data), (1, .index), (4097, .data), (65, .locks), (10, .config)] {
            let key = try put(Self.bytes(count: size, seed: UInt64(size) + 10), as: kind, in: store)
            let info = try store.head(key)
            try expect(info == ObjectInfo(key: key, size: size), "head(\(key)) said \(info.size) bytes, expected \(size)")
        }
        let missing = try key(.data, for: Self.bytes(count: 3, seed: 9))
        try expectError(.notFound, "head of a missing object") { try store.head(missing) }
    }

    func checkListing(_ store: any ObjectStore) throws {
        for kind in ObjectKind.allCases {
            try expectListing(store, kind, [:])
        }
        let counts: [ObjectKind: Int] = [.data: 5, .index: 2, .keys: 1, .recoveryPoints: 3, .locks: 2, .config: 1]
        var expected: [ObjectKind: [ObjectKey: Int]] = [:]
        var seed: UInt64 = 100
        for (kind, count) in counts {
            for _ in 0..<count {
                seed += 1
                let bytes = Self.bytes(count: Int(seed), seed: seed)
                expected[kind, default: [:]][try put(bytes, as: kind, in: store)] = bytes.count
            }
        }
        // A refused put must not leave anything a listing could see.
        let refused = try key(.data, for: [1, 2, 3])
        _ = try? store.put(refused, [3, 2, 1])
        for kind in ObjectKind.allCases {
            try expectListing(store, kind, expected[kind] ?? [:])
        }
    }
}
