import Foundation
import ObjectStore

/// Conformance checks about the write rules: write-once, content addressing, names, deletion.
extension ObjectStoreConformance {
    func checkIdempotentPut(_ store: any ObjectStore) throws {
        let bytes = Self.bytes(count: 5000, seed: 20)
        for kind in [ObjectKind.data, .locks, .config] {
            let key = try put(bytes, as: kind, in: store)
            try store.put(key, bytes)
            try expect(try store.get(key) == bytes, "the second put of \(key) changed its content")
            try expectListing(store, kind, [key: bytes.count])
        }
    }

    func checkHashMismatch(_ store: any ObjectStore) throws {
        for kind in ObjectKind.allCases where kind.isContentAddressed {
            let named = Self.bytes(count: 100, seed: 30)
            let key = try key(kind, for: named)
            var other = named
            other[50] ^= 0x01
            try expectError(.hashMismatch, "put of \(key) with one flipped bit") { try store.put(key, other) }
            try expectError(.notFound, "get after a refused put of \(key)") { try store.get(key) }
            try expectListing(store, kind, [:])
        }
    }

    func checkInvalidNames(_ store: any ObjectStore) throws {
        let valid = hasher([])
        let invalid = [
            valid.uppercased(), String(valid.dropLast()), valid + "0", "../x", "a/b", "", "\0",
            String(valid.dropLast()) + "\0", "../" + valid.dropFirst(3), String(valid.dropLast()) + "g",
            String(valid.dropLast()) + "/",
        ]
        for kind in ObjectKind.allCases where kind != .config {
            for name in invalid {
                try expectError(.invalidName, "ObjectKey(\(kind.rawValue), \(String(reflecting: name)))") {
                    try ObjectKey(kind, name)
                }
            }
        }
        for name in ["", "Config", "config/", "../config", valid] {
            try expectError(.invalidName, "ObjectKey(config, \(String(reflecting: name)))") { try ObjectKey(.config, name) }
        }
        try expectListing(store, .data, [:])
    }

    func checkConfigWriteOnce(_ store: any ObjectStore) throws {
        let first = Self.bytes(count: 200, seed: 40)
        try store.put(.config, first)
        try store.put(.config, first)
        try expectError(.alreadyExists, "a second, different config") { try store.put(.config, Self.bytes(count: 200, seed: 41)) }
        try expect(try store.get(.config) == first, "the refused config replaced the first one")
    }

    func checkDeleteThenGet(_ store: any ObjectStore) throws {
        let bytes = Self.bytes(count: 300, seed: 50)
        for kind in ObjectKind.allCases {
            let key = try put(bytes, as: kind, in: store)
            try store.delete(key)
            try expectError(.notFound, "get of deleted \(key)") { try store.get(key) }
            try expectError(.notFound, "head of deleted \(key)") { try store.head(key) }
            try expectListing(store, kind, [:])
            try store.put(key, bytes)
            try expect(try store.get(key) == bytes, "\(key) put again after deletion reads back differently")
        }
    }

    func checkDeleteMissing(_ store: any ObjectStore) throws {
        for kind in ObjectKind.allCases {
            let key = try key(kind, for: Self.bytes(count: 10, seed: 60))
            try expectError(.notFound, "delete of missing \(key)") { try store.delete(key) }
        }
    }

    func checkNamingFiles(_ store: any ObjectStore) throws {
        // Staged where the store takes files as they are, if it has such a place; elsewhere it must read them.
        let directory = store.stagingDirectory ?? NSTemporaryDirectory()
        for (index, kind) in ObjectKind.allCases.filter(\.isContentAddressed).enumerated() {
            for count in [0, 1, 70_000] {
                let bytes = Self.bytes(count: count, seed: 80 + UInt64(index))
                let file = try stage(bytes, in: directory)
                let name = try store.put(kind, namingFileAt: file)
                try expect(name == hasher(bytes), "a staged \(count)-byte file was named \(name), not by its content's hash")
                try expect(try store.get(ObjectKey(kind, name)) == bytes, "the \(kind.rawValue) object named from a file reads back differently")
                try expect(!FileManager.default.fileExists(atPath: file), "the staged file \(file) was left behind")
            }
        }
        for kind in ObjectKind.allCases where !kind.isContentAddressed {
            let file = try stage(Self.bytes(count: 10, seed: 90), in: directory)
            try expectError(.invalidName, "naming a \(kind.rawValue) object by its content") { try store.put(kind, namingFileAt: file) }
            try expect(!FileManager.default.fileExists(atPath: file), "the refused staged file \(file) was left behind")
            try expectListing(store, kind, [:])
        }
    }

    private func stage(_ bytes: [UInt8], in directory: String) throws -> String {
        let file = (directory as NSString).appendingPathComponent("conformance-\(UInt64.random(in: 0...UInt64.max))")
        try expect(FileManager.default.createFile(atPath: file, contents: Data(bytes)), "cannot stage a file in \(directory)")
        return file
    }
}
