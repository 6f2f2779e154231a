/// AgentClient owns the CLI's side of the agent API (docs/agent-api.md): where the agent is, its token, and JSON
/// requests whose refusals become failures the user reads.
import AgentPortal
import FileIO
import Foundation
import HTTPClient

/// A connection to the local agent's API.
struct AgentClient {
    /// e.g. "http://127.0.0.1:8442", without a trailing slash.
    let address: String
    let token: String
    /// Where the token came from, for messages.
    let tokenPath: String
    private let client: Client

    /// `{}`, for a POST that needs no input.
    struct EmptyBody: Encodable {}

    init(address: String, tokenPath: String) throws {
        var trimmed = address
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard trimmed.hasPrefix("http://") || trimmed.hasPrefix("https://") else {
            throw CommandFailure("the agent's address must start with http:// or https://, such as http://127.0.0.1:8442; got \(address)")
        }
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(tokenPath) } catch {
            throw CommandFailure("cannot read the agent's API token at \(tokenPath): \(error); run as the user the agent runs as "
                + "(root), or name its state directory with --agent-state DIR or HAVEN_AGENT_STATE")
        }
        let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw CommandFailure("the agent's API token file \(tokenPath) is empty; restart the agent to draw a new one") }
        self.address = trimmed
        self.token = token
        self.tokenPath = tokenPath
        var configuration = Client.Configuration()
        // The agent is on this machine: a proxy from the environment must not see the token.
        configuration.proxy = .none
        configuration.connectTimeout = .seconds(5)
        configuration.timeout = .seconds(300)
        client = Client(configuration: configuration)
    }

    func get<Answer: Decodable>(_ path: String, as type: Answer.Type = Answer.self) throws -> Answer {
        try decode(send("GET", path, body: nil), path: path)
    }

    func send<Answer: Decodable>(_ method: String, _ path: String, _ body: some Encodable, as type: Answer.Type = Answer.self) throws -> Answer {
        try decode(send(method, path, body: encode(body)), path: path)
    }

    /// A request whose answer has no body worth reading (204).
    func send(_ method: String, _ path: String, _ body: some Encodable) throws {
        _ = try send(method, path, body: encode(body))
    }

    /// A request whose answer is a file (its bytes as they came).
    func download(_ method: String, _ path: String, _ body: some Encodable) throws -> [UInt8] {
        try send(method, path, body: encode(body)).body
    }

    private func encode(_ body: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(body))
    }

    private func send(_ method: String, _ path: String, body: [UInt8]?) throws -> HTTPClient.Client.Response {
        var headers = [(name: "Authorization", value: "Bearer \(token)"), (name: "Accept", value: "application/json")]
        if body != nil { headers.append((name: "Content-Type", value: "application/json")) }
        let request = Client.Request(method: method, url: address + "/api/v1/" + path, headers: headers, body: body ?? [])
        let response: Client.Response
        do { response = try client.send(request) } catch {
            throw CommandFailure("cannot reach the agent at \(address): \(error.message); is `haven agent serve` running? "
                + "(another address: --agent URL or HAVEN_AGENT)")
        }
        guard (200..<300).contains(response.status) else { throw failure(response) }
        return response
    }

    private func failure(_ response: Client.Response) -> CommandFailure {
        guard let body = try? JSONDecoder().decode(AgentAPI.ErrorBody.self, from: Data(response.body)) else {
            return CommandFailure("the agent at \(address) answered \(response.status) without an explanation; is it a Haven agent?")
        }
        switch body.error.code {
        case "unauthenticated":
            return CommandFailure("the agent refused the API token in \(tokenPath): \(body.error.message)")
        case "wrong_passphrase":
            return CommandFailure(body.error.message, exitCode: .wrongPassphrase)
        case "not_registered":
            return CommandFailure(body.error.message, exitCode: .noRepository)
        default:
            return CommandFailure(body.error.message)
        }
    }

    private func decode<Answer: Decodable>(_ response: HTTPClient.Client.Response, path: String) throws -> Answer {
        do { return try JSONDecoder().decode(Answer.self, from: Data(response.body)) } catch {
            throw CommandFailure("the agent's answer to \(path) is not what this haven expects (\(error)); are the agent and the CLI the same version?")
        }
    }

    /// Percent-encodes a query value or path segment.
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? text
    }
}
