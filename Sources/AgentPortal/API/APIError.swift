/// APIError owns the agent API's error codes and their HTTP statuses (docs/agent-api.md, Errors).

/// A refusal the API answers as `{"error": {"code", "message", "field"?}}`.
struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Code: String, Sendable {
        case invalidRequest = "invalid_request"
        case unauthenticated
        case wrongPassphrase = "wrong_passphrase"
        case pinRequired = "pin_required"
        case notFound = "not_found"
        case methodNotAllowed = "method_not_allowed"
        case notRegistered = "not_registered"
        case alreadyRegistered = "already_registered"
        case busy
        case conflict
        case tooLarge = "too_large"
        case rateLimited = "rate_limited"
        case vault
        case io
        case internalError = "internal"

        var httpStatus: Int {
            switch self {
            case .invalidRequest: 400
            case .unauthenticated: 401
            case .wrongPassphrase, .pinRequired: 403
            case .notFound: 404
            case .methodNotAllowed: 405
            case .notRegistered, .alreadyRegistered, .busy, .conflict: 409
            case .tooLarge: 413
            case .rateLimited: 429
            case .vault: 502
            case .io, .internalError: 500
            }
        }
    }

    var code: Code
    var field: String?
    var message: String

    init(_ code: Code, field: String? = nil, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    var description: String { message }
}
