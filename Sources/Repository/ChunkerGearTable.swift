/// ChunkerGearTable owns the derivation of the chunker's secret 256-entry Gear table from a 32-byte key.

/// The Gear table of a keyed chunker: 256 pseudo-random 64-bit values, one per byte value.
///
/// Derivation (normative): the table is the first 2048 bytes of the ChaCha20 keystream
/// (RFC 8439, 20 rounds) under the 32-byte chunker key, with a 12-byte all-zero nonce and the
/// block counter starting at 0 (32 blocks, counters 0...31). Entry `i` is the little-endian
/// `UInt64` read from keystream bytes `8*i ..< 8*i + 8`. Equivalently: entry `i` is the
/// little-endian word at bytes `8*i` of ChaCha20-encrypting 2048 zero bytes, e.g.
/// `head -c 2048 /dev/zero | openssl enc -chacha20 -K <key hex> -iv 00000000000000000000000000000000`.
///
/// Why ChaCha20: it is a PRF, so every entry depends on every key bit and the entries reveal
/// nothing about each other or the key; any crypto library can recompute it. The table exists
/// only in memory and is never stored. The key must be secret and must not be reused for any
/// other purpose (derive it from the master key, apart from the chunk id key).
public enum ChunkerGearTable {
    /// Number of table entries: one per byte value.
    public static let count = 256
    /// Required key length in bytes.
    public static let keyLength = 32

    /// Derives the table from a 32-byte key (precondition: `key.count == keyLength`).
    public static func derive(key: [UInt8]) -> [UInt64] {
        precondition(key.count == keyLength, "the chunker key must be \(keyLength) bytes, got \(key.count)")
        var keyWords = [UInt32](repeating: 0, count: 8)
        for word in 0..<8 {
            keyWords[word] = littleEndianWord(key, at: word * 4)
        }
        var table = [UInt64]()
        table.reserveCapacity(count)
        // One 64-byte block holds 8 entries: word pairs (2j, 2j+1) form entry j, low word first.
        for counter in 0..<UInt32(count / 8) {
            let block = chaCha20Block(key: keyWords, counter: counter)
            for pair in 0..<8 {
                table.append(UInt64(block[2 * pair]) | UInt64(block[2 * pair + 1]) << 32)
            }
        }
        return table
    }

    private static func littleEndianWord(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
            | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    /// The ChaCha20 block function of RFC 8439 section 2.3 with an all-zero nonce.
    private static func chaCha20Block(key: [UInt32], counter: UInt32) -> [UInt32] {
        let initial: [UInt32] = [
            0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574,
            key[0], key[1], key[2], key[3], key[4], key[5], key[6], key[7],
            counter, 0, 0, 0,
        ]
        var state = initial
        for _ in 0..<10 {
            quarterRound(&state, 0, 4, 8, 12)
            quarterRound(&state, 1, 5, 9, 13)
            quarterRound(&state, 2, 6, 10, 14)
            quarterRound(&state, 3, 7, 11, 15)
            quarterRound(&state, 0, 5, 10, 15)
            quarterRound(&state, 1, 6, 11, 12)
            quarterRound(&state, 2, 7, 8, 13)
            quarterRound(&state, 3, 4, 9, 14)
        }
        for index in 0..<16 {
            state[index] &+= initial[index]
        }
        return state
    }

    private static func quarterRound(_ s: inout [UInt32], _ a: Int, _ b: Int, _ c: Int, _ d: Int) {
        s[a] &+= s[b]; s[d] ^= s[a]; s[d] = rotate(s[d], 16)
        s[c] &+= s[d]; s[b] ^= s[c]; s[b] = rotate(s[b], 12)
        s[a] &+= s[b]; s[d] ^= s[a]; s[d] = rotate(s[d], 8)
        s[c] &+= s[d]; s[b] ^= s[c]; s[b] = rotate(s[b], 7)
    }

    private static func rotate(_ value: UInt32, _ bits: UInt32) -> UInt32 {
        (value &<< bits) | (value &>> (32 &- bits))
    }
}
