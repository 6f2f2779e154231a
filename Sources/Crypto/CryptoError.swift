/// What went wrong in a cryptographic operation, as a code to test and a message for people.
public struct CryptoError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable {
        /// The ciphertext, tag, nonce, additional data or key do not match: tampering, corruption or a wrong key.
        case authenticationFailed
        /// A key has the wrong length or cannot be used.
        case invalidKey
        /// A parameter is out of range (nonce length, scrypt cost, output length).
        case invalidInput
        /// OpenSSL itself failed; the message carries its error queue.
        case library
    }

    public let code: Code
    /// What happened and what to do about it.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
