/// The identity of a blob: 32 bytes of keyed hash, held as four words so hashing and comparing are cheap.

/// A blob id: `HMAC-SHA-256(idKey, plaintext)`.
public struct BlobID: Hashable, Sendable, Comparable, CustomStringConvertible {
    let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    /// Reads 32 bytes at `offset`.
    init(_ bytes: [UInt8], at offset: Int = 0) {
        func word(_ i: Int) -> UInt64 {
            var value: UInt64 = 0
            for j in 0..<8 { value = value << 8 | UInt64(bytes[offset + i * 8 + j]) }
            return value
        }
        w0 = word(0); w1 = word(1); w2 = word(2); w3 = word(3)
    }

    /// An id from its 32 raw bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.init(bytes, at: 0)
    }

    /// An id from 64 hex characters.
    public init?(hex: String) {
        guard hex.utf8.count == 64 else { return nil }
        var raw: [UInt8] = []
        raw.reserveCapacity(32)
        var high: UInt8? = nil
        for c in hex.utf8 {
            let nibble: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = c - UInt8(ascii: "a") + 10
            default: return nil
            }
            if let h = high { raw.append(h << 4 | nibble); high = nil } else { high = nibble }
        }
        self.init(raw, at: 0)
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        append(to: &out)
        return out
    }

    func append(to out: inout [UInt8]) {
        for w in [w0, w1, w2, w3] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: w >> UInt64(shift))) }
        }
    }

    public var hex: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var chars: [UInt8] = []
        chars.reserveCapacity(64)
        for b in bytes {
            chars.append(digits[Int(b >> 4)])
            chars.append(digits[Int(b & 15)])
        }
        return String(decoding: chars, as: UTF8.self)
    }

    public var description: String { String(hex.prefix(16)) }

    public static func < (a: BlobID, b: BlobID) -> Bool {
        (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3)
    }
}

/// What a blob holds.
public enum BlobType: UInt8, Sendable, Codable {
    case data = 0
    case tree = 1
}

extension BlobID {
    /// An id is a keyed hash: its first word is already uniformly distributed, and nobody without the repository's key
    /// can choose it, so it serves as the hash as it is. Dictionaries and sets of ids (the index holds one entry per
    /// blob) then skip SipHash, whose seeding alone took a tenth of a quick backup's CPU.
    public func hash(into hasher: inout Hasher) { hasher.combine(w0) }

    public func _rawHashValue(seed: Int) -> Int { Int(truncatingIfNeeded: w0) ^ seed }
}
