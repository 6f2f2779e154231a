import ObjectStore

/// Helpers the conformance checks share: naming content, making bytes, and asserting outcomes.
extension ObjectStoreConformance {
    /// The key that content-addresses `bytes` in `kind` (a random id for locks, "config" for config).
    func key(_ kind: ObjectKind, for bytes: [UInt8]) throws -> ObjectKey {
        switch kind {
        case .config: .config
        case .locks: try ObjectKey(.locks, hasher(Array("lock-\(bytes.count)-\(UInt64.random(in: 0...UInt64.max))".utf8)))
        default: try ObjectKey(kind, hasher(bytes))
        }
    }

    /// Stores `bytes` under its content-addressed key in `kind` and returns the key.
    @discardableResult
    func put(_ bytes: [UInt8], as kind: ObjectKind = .data, in store: any ObjectStore) throws -> ObjectKey {
        let key = try key(kind, for: bytes)
        try store.put(key, bytes)
        return key
    }

    func expect(_ condition: Bool, _ detail: @autoclosure () -> String) throws {
        if !condition { throw Mismatch(detail: detail()) }
    }

    /// Expects `body` to throw an ObjectStoreError with `code`; every store failure must be that type.
    func expectError<T>(_ code: ObjectStoreError.Code, _ what: String, _ body: () throws -> T) throws {
        do {
            _ = try body()
        } catch let error as ObjectStoreError {
            try expect(error.code == code, "\(what): expected \(code), got \(error.code) (\(error.message))")
            return
        } catch {
            throw Mismatch(detail: "\(what): expected ObjectStoreError \(code), got a foreign error: \(error)")
        }
        throw Mismatch(detail: "\(what): expected \(code), but it succeeded")
    }

    /// Expects the listing of `kind` to hold exactly `expected`, sizes included.
    func expectListing(_ store: any ObjectStore, _ kind: ObjectKind, _ expected: [ObjectKey: Int]) throws {
        let listed = try store.list(kind)
        let sizes = Dictionary(listed.map { ($0.key, $0.size) }, uniquingKeysWith: { first, _ in first })
        try expect(listed.count == sizes.count, "list(\(kind.rawValue)) returned duplicates: \(listed.count) entries")
        try expect(
            sizes == expected,
            "list(\(kind.rawValue)) returned \(sizes.count) objects, expected \(expected.count): "
                + "extra \(Set(sizes.keys).subtracting(expected.keys).map(\.description)), "
                + "missing \(Set(expected.keys).subtracting(sizes.keys).map(\.description))"
        )
    }

    /// Deterministic pseudo-random bytes (SplitMix64), so a failure can be reproduced from its seed.
    static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var index = 0
            while index < count {
                state &+= 0x9e37_79b9_7f4a_7c15
                var word = state
                word = (word ^ (word >> 30)) &* 0xbf58_476d_1ce4_e5b9
                word = (word ^ (word >> 27)) &* 0x94d0_49bb_1331_11eb
                word ^= word >> 31
                var byte = 0
                while byte < 8 && index < count {
                    buffer[index] = UInt8(truncatingIfNeeded: word)
                    word >>= 8
                    index &+= 1
                    byte &+= 1
                }
            }
            initialized = count
        }
    }
}
