/// The errors a repository reports: what happened, and what the user can do about it.
public struct RepositoryError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// No repository at the location given.
        case notFound
        /// A repository exists already where one was to be created.
        case alreadyExists
        /// The passphrase unlocks none of the key slots.
        case wrongPassphrase
        /// An object is damaged, tampered with, or not in Haven's format.
        case corrupt
        /// Something the repository needs is missing (a pack, a blob, a tree).
        case missing
        /// The user asked for something that does not exist or is ambiguous.
        case invalidArgument
        /// The store failed (I/O, full disk, permissions).
        case storage
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
