/// Vault owns the vault service: vaults, credentials, machines, objects, leases, recovery points,
/// retention, PINs, purge, garbage collection and the audit log, over SQLite and one object store per machine.
///
/// This file holds the one error the service throws.

/// A refusal or failure of the vault service: a stable code (the API's `code`) and a message that says what to do.
public struct VaultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The codes of docs/vault-api.md, *Errors*; `rawValue` is the wire form.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        case invalidRequest = "invalid_request"
        case hashMismatch = "hash_mismatch"
        case unauthenticated
        case machineUnknown = "machine_unknown"
        case secretWrong = "secret_wrong"
        case machineUnregistered = "machine_unregistered"
        case credentialsExpired = "credentials_expired"
        case credentialsUsedUp = "credentials_used_up"
        case credentialsForged = "credentials_forged"
        case credentialsUnknown = "credentials_unknown"
        case destroyForbidden = "destroy_forbidden"
        case pinInvalid = "pin_invalid"
        case pinExpired = "pin_expired"
        case notOwner = "not_owner"
        case notFound = "not_found"
        case methodNotAllowed = "method_not_allowed"
        case alreadyExists = "already_exists"
        case machineExists = "machine_exists"
        case missingObjects = "missing_objects"
        case leaseExpired = "lease_expired"
        case tooLarge = "too_large"
        case rangeNotSatisfiable = "range_not_satisfiable"
        case leaseRequired = "lease_required"
        case rateLimited = "rate_limited"
        case insufficientStorage = "insufficient_storage"
        case internalError = "internal"

        /// The HTTP status the API answers with.
        public var httpStatus: Int {
            switch self {
            case .invalidRequest, .hashMismatch: 400
            case .unauthenticated, .machineUnknown, .secretWrong, .machineUnregistered, .credentialsExpired,
                 .credentialsUsedUp, .credentialsForged, .credentialsUnknown: 401
            case .destroyForbidden, .pinInvalid, .pinExpired, .notOwner: 403
            case .notFound: 404
            case .methodNotAllowed: 405
            case .alreadyExists, .machineExists, .missingObjects, .leaseExpired: 409
            case .tooLarge: 413
            case .rangeNotSatisfiable: 416
            case .leaseRequired: 428
            case .rateLimited: 429
            case .insufficientStorage: 507
            case .internalError: 500
            }
        }
    }

    public let code: Code
    /// What happened and what to do, for people.
    public let message: String
    /// For `missingObjects`: the `KIND/NAME` of every object that does not exist.
    public let missing: [String]?

    public init(_ code: Code, _ message: String, missing: [String]? = nil) {
        self.code = code
        self.message = message
        self.missing = missing
    }

    public var description: String { message }
}
