/// The one error every ObjectStore throws: a code to branch on and a message that says what to do.
public struct ObjectStoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The object (or the repository) does not exist.
        case notFound
        /// The content's SHA-256 is not the object's name.
        case hashMismatch
        /// The name is not valid for the kind.
        case invalidName
        /// The byte range is not inside the object.
        case rangeNotSatisfiable
        /// A different object already exists under a write-once name, or a repository already exists.
        case alreadyExists
        /// The storage is full.
        case noSpace
        /// The store refused access.
        case permissionDenied
        /// The store cannot be reached or is not usable right now; retrying later may help.
        case unavailable
        /// Any other I/O failure.
        case io
    }

    public let code: Code
    /// The object the failure is about, when there is one.
    public let key: ObjectKey?
    /// What happened and what to do, for people.
    public let message: String

    public init(_ code: Code, key: ObjectKey? = nil, message: String) {
        self.code = code
        self.key = key
        self.message = message
    }

    public var description: String { message }
}
