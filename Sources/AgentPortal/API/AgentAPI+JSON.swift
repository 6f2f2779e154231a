/// JSON in and out of the agent API: encoding answers, decoding bodies with a reason for anything malformed,
/// and mapping the agent's errors to statuses.
import Agent
import Foundation
import HTTPServer

extension AgentAPI {
    static func json<T: Encodable>(_ value: T, status: Int = 200) -> HTTPServer.Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(value)).map { Array($0) } ?? Array("{}".utf8)
        return HTTPServer.Response(status: status, headers: ["Content-Type": "application/json", "Cache-Control": "no-store"], body: body)
    }

    static func error(_ error: APIError) -> HTTPServer.Response {
        json(ErrorBody(code: error.code.rawValue, message: error.message, field: error.field), status: error.code.httpStatus)
    }

    static func noContent() -> HTTPServer.Response { HTTPServer.Response(status: 204, headers: ["Cache-Control": "no-store"]) }

    /// Decodes a JSON body, answering `invalid_request` with the reason for anything malformed.
    static func decode<T: Decodable>(_ type: T.Type, from request: HTTPServer.Request, emptyAllowed: Bool = false) throws -> T {
        guard request.body.count <= maxBody else {
            throw APIError(.tooLarge, "the JSON body has \(request.body.count) bytes; at most \(maxBody) are accepted")
        }
        let body = request.body.isEmpty && emptyAllowed ? Array("{}".utf8) : request.body
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch let error as APIError {
            throw error
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            throw APIError(.invalidRequest, field: path, "the JSON body lacks the field \(path); see docs/agent-api.md")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError(.invalidRequest, field: path.isEmpty ? nil : path,
                           "the JSON field \(path.isEmpty ? "(top level)" : path) has the wrong type; see docs/agent-api.md")
        } catch {
            throw APIError(.invalidRequest, request.body.isEmpty ? "this request needs a JSON body; see docs/agent-api.md"
                : "the body is not valid JSON of the expected shape; see docs/agent-api.md")
        }
    }

    /// A time field: RFC 3339 in UTC.
    static func time(_ text: String?, field: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = APITime.parse(text) else {
            throw APIError(.invalidRequest, field: field,
                           "\(field) must be an RFC 3339 time in UTC such as 2027-01-01T00:00:00Z, not \(String(reflecting: String(text.prefix(64))))")
        }
        return date
    }

    /// A non-negative integer query parameter within `range`.
    static func integer(_ request: HTTPServer.Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.queryValue(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError(.invalidRequest, field: name,
                           "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(String(reflecting: String(text.prefix(32))))")
        }
        return number
    }
}

extension APIError {
    /// The agent's refusal, with the status its code deserves.
    init(_ error: AgentError) {
        let code: Code = switch error.code {
        case .notRegistered: .notRegistered
        case .alreadyRegistered: .alreadyRegistered
        case .invalidInput: .invalidRequest
        case .wrongPassphrase: .wrongPassphrase
        case .vault: .vault
        case .busy: .busy
        case .notFound: .notFound
        case .needsPIN: .pinRequired
        case .io: .io
        }
        self.init(code, field: error.field, error.message)
    }
}
