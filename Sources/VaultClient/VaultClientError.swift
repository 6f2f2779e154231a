/// VaultClient is the agent's side of the vault API (docs/vault-api.md): registration, the saved machine credential,
/// and an ObjectStore over HTTP(S) with libcurl. This file holds its error outside the object store.

/// A failure of registration, of a credentials file, of the saved machine credential, or of a vault call that is
/// not an object operation (those throw `ObjectStoreError`).
public struct VaultClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The credentials file cannot be read.
        public static let credentialsUnreadable = Code("credentialsUnreadable")
        /// The file is not a vault credentials file, or one of its fields is invalid.
        public static let notCredentials = Code("notCredentials")
        /// The credentials file expired.
        public static let credentialsExpired = Code("credentialsExpired")
        /// The vault answered with an error; `vaultCode` holds its code.
        public static let refused = Code("refused")
        /// The vault could not be reached (or its TLS key is not the pinned one).
        public static let unreachable = Code("unreachable")
        /// The vault answered something that is not what the API promises.
        public static let unexpectedAnswer = Code("unexpectedAnswer")
        /// This machine has no saved credential, or it cannot be read.
        public static let notRegistered = Code("notRegistered")
        /// The machine credential cannot be saved.
        public static let stateUnwritable = Code("stateUnwritable")
        /// An argument is invalid (a machine name, an unknown machine).
        public static let invalidArgument = Code("invalidArgument")

        public var description: String { name }
    }

    public let code: Code
    /// What happened and what to do.
    public let message: String
    /// The vault's error code (e.g. "credentials_used_up") when the vault refused.
    public let vaultCode: String?

    public init(_ code: Code, _ message: String, vaultCode: String? = nil) {
        self.code = code
        self.message = message
        self.vaultCode = vaultCode
    }

    public var description: String { message }
}
