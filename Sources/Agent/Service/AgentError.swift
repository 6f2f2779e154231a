/// AgentError is what the agent's service answers when it refuses or fails: a code the portal and the API map to a
/// status, the form field concerned, and a message that says what happened and what to do.

/// Why the agent's service refused or failed.
public struct AgentError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notRegistered, alreadyRegistered, invalidInput, wrongPassphrase, vault, busy, notFound, needsPIN, io
    }

    public var code: Code
    /// The form field the error concerns, when it concerns one.
    public var field: String?
    public var message: String

    public init(_ code: Code, field: String? = nil, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { message }

    static let notRegistered = AgentError(
        .notRegistered, "this machine is not registered with a vault yet; register it on the Register server page "
            + "with a vault credentials file downloaded from the vault portal")
}
