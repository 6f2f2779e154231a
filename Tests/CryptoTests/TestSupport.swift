// Helpers shared by the Crypto tests: hex literals for test vectors.
import Crypto

/// Decodes a hex test vector, ignoring spaces; a malformed literal is a bug in the test itself.
func hex(_ text: String) -> [UInt8] {
    guard let bytes = Hex.decode(text.filter { $0 != " " && $0 != "\n" }) else {
        preconditionFailure("bad hex literal in test: \(text)")
    }
    return bytes
}

/// The UTF-8 bytes of `text`.
func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }
