/// WebError is what a page handler throws to answer with an error page: a status, a code and a reason.

/// An error a visitor sees as a page rendered in the layout: the status, a short title and the reason.
///
/// Throw it from a handler (`throw WebError.notFound("no vault named “x”")`); the app renders
/// `errors/error.mustache` with the status and message. Any other error a handler throws becomes a 500
/// page that says only that something went wrong: messages of unknown errors are never shown.
public struct WebError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; each maps to one HTTP status.
    public enum Code: String, Sendable, Equatable {
        case badRequest, forbidden, notFound, methodNotAllowed, payloadTooLarge, misdirectedRequest
        case tooManyRequests, internalError, resourcesNotFound, unsupportedMediaType

        /// The HTTP status for the code.
        public var status: Int {
            switch self {
            case .badRequest: 400
            case .forbidden: 403
            case .notFound: 404
            case .methodNotAllowed: 405
            case .payloadTooLarge: 413
            case .unsupportedMediaType: 415
            case .misdirectedRequest: 421
            case .tooManyRequests: 429
            case .internalError, .resourcesNotFound: 500
            }
        }

        /// A short title for the error page, e.g. "Not found".
        public var title: String {
            switch self {
            case .badRequest: "Bad request"
            case .forbidden: "Forbidden"
            case .notFound: "Not found"
            case .methodNotAllowed: "Method not allowed"
            case .payloadTooLarge: "Too large"
            case .unsupportedMediaType: "Unsupported form encoding"
            case .misdirectedRequest: "Wrong host name"
            case .tooManyRequests: "Too many attempts"
            case .internalError: "Something went wrong"
            case .resourcesNotFound: "Resources not found"
            }
        }
    }

    /// The kind of failure.
    public let code: Code
    /// What happened and what to do, in plain words; shown on the page.
    public let message: String
    /// Extra response headers, such as `Retry-After` or `Allow`.
    public var headers: [(name: String, value: String)] = []

    public init(_ code: Code, _ message: String, headers: [(name: String, value: String)] = []) {
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// The HTTP status.
    public var status: Int { code.status }

    public var description: String { "\(code.status) \(code.title): \(message)" }

    public static func == (lhs: WebError, rhs: WebError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    /// 400 with a reason.
    public static func badRequest(_ message: String) -> WebError { WebError(.badRequest, message) }
    /// 403 with a reason.
    public static func forbidden(_ message: String) -> WebError { WebError(.forbidden, message) }
    /// 404 with a reason.
    public static func notFound(_ message: String) -> WebError { WebError(.notFound, message) }
}
