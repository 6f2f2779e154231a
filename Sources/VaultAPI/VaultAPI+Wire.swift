import Foundation
import HTTPServer
import Vault
import VaultProtocol

/// JSON in and out, errors as `{"error": {...}}`, and HTTP Basic authentication of machines.
extension VaultAPI {
    static func json<T: Encodable>(_ value: T, status: Int = 200) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(value)).map { Array($0) } ?? Array("{}".utf8)
        return Response(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    static func error(_ error: VaultError) -> Response {
        json(VaultErrorBody(code: error.code.rawValue, message: error.message, missing: error.missing), status: error.code.httpStatus)
    }

    static func noContent() -> Response { Response(status: 204) }

    /// Decodes a JSON body, answering `invalid_request` with the reason for anything malformed.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, emptyAllowed: Bool = false) throws -> T {
        guard request.body.count <= maxJSONBody else {
            throw VaultError(.tooLarge, "the JSON body has \(request.body.count) bytes; at most \(maxJSONBody) are accepted")
        }
        let body = request.body.isEmpty && emptyAllowed ? Array("{}".utf8) : request.body
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch let DecodingError.keyNotFound(key, _) {
            throw VaultError(.invalidRequest, "the JSON body lacks the field \(key.stringValue)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw VaultError(.invalidRequest, "the JSON field \(path.isEmpty ? "(top level)" : path) has the wrong type")
        } catch {
            throw VaultError(.invalidRequest, "the body is not valid JSON of the expected shape; see docs/vault-api.md")
        }
    }

    /// The machine named by `Authorization: Basic base64(MACHINE_ID:SECRET)`.
    func authenticate(_ request: Request) throws -> AuthenticatedMachine {
        guard let header = request.headers["Authorization"], header.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else {
            throw VaultError(.unauthenticated, "this request needs `Authorization: Basic base64(MACHINE_ID:SECRET)` "
                + "with the machine credential given at registration")
        }
        return try service.authenticate(machineId: String(text[..<colon]), secret: String(text[text.index(after: colon)...]))
    }

    /// `{me}` endpoints act on the caller's own machine only.
    static func requireSelf(_ caller: AuthenticatedMachine, _ machine: String) throws {
        guard caller.id == machine else {
            throw VaultError(.notOwner, "this endpoint acts only on the calling machine (\(caller.id)); \(machine.prefix(32)) is another")
        }
    }

    static func pin(_ request: Request) -> String? {
        request.headers[VaultHeader.securityPIN]?.trimmingCharacters(in: .whitespaces)
    }
}
