import Foundation
import HTTPClient
import Synchronization
import VaultProtocol

/// One vault's HTTP endpoint as seen by one machine: URLs, authentication, retries with backoff, and counters.
///
/// Thread-safe: the libcurl client pools its handles (keep-alive connections are reused across threads),
/// and the counters live in a `Mutex`.
public final class VaultConnection: Sendable {
    /// How requests are sent: libcurl's settings, the retry policy, and how to wait between tries.
    public struct Settings: Sendable {
        /// Timeouts, proxy, throttling and connection reuse. The pin is set from the vault's public key.
        public var http: Client.Configuration
        public var retry: RetryPolicy
        /// Waits the given seconds before a retry; tests make it instant.
        public var sleep: @Sendable (Double) -> Void

        /// Objects up to the vault's largest upload (256 MiB) fit in a response; a transfer may take 10 minutes.
        public init(http: Client.Configuration? = nil, retry: RetryPolicy = RetryPolicy(),
                    sleep: @escaping @Sendable (Double) -> Void = VaultConnection.sleep) {
            self.http = http ?? Self.defaultHTTP
            self.retry = retry
            self.sleep = sleep
        }

        public static var defaultHTTP: Client.Configuration {
            var http = Client.Configuration()
            http.maxResponseSize = 272 << 20
            http.timeout = .seconds(600)
            return http
        }
    }

    /// The service's base address, e.g. "https://vault.example.com:8443", without a final slash.
    public let address: String
    let settings: Settings
    private let client: Client
    private let authorization: String?
    private let counters = Mutex(VaultTransferStatistics())

    /// - Parameters:
    ///   - publicKeySHA256: the pinned key (base64 SHA-256 of the DER SubjectPublicKeyInfo); when not empty it is the
    ///     only trust anchor of an HTTPS address.
    ///   - machineId, secret: the machine credential every request but registration authenticates with.
    public init(address: String, publicKeySHA256: String?, machineId: String? = nil, secret: String? = nil,
                settings: Settings = Settings()) {
        var trimmed = Substring(address)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        // An address written with the API's prefix still means the service's base address.
        if trimmed.hasSuffix(VaultAPIPath.prefix) { trimmed = trimmed.dropLast(VaultAPIPath.prefix.count) }
        self.address = String(trimmed)
        var http = settings.http
        if let pin = publicKeySHA256, !pin.isEmpty, address.lowercased().hasPrefix("https:") { http.pinnedPublicKeySHA256 = pin }
        self.settings = settings
        client = Client(configuration: http)
        if let machineId, let secret {
            authorization = "Basic " + Data("\(machineId):\(secret)".utf8).base64EncodedString()
        } else {
            authorization = nil
        }
    }

    /// The default way to wait between tries.
    public static let sleep: @Sendable (Double) -> Void = { seconds in
        guard seconds > 0 else { return }
        Thread.sleep(forTimeInterval: seconds)
    }

    /// What this connection has sent and received so far.
    public var statistics: VaultTransferStatistics { counters.withLock { $0 } }

    func count(_ update: (inout VaultTransferStatistics) -> Void) { counters.withLock { update(&$0) } }

    /// Sends a request under `/api/v1`, retrying connection failures, 5xx and 429 answers with exponential backoff
    /// (never a 4xx). Returns the last answer, whatever its status; throws when no answer came at all.
    /// - Parameter idempotent: false for a request that may not be repeated once the vault got it (registration).
    func send(_ method: String, _ path: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
              idempotent: Bool = true) throws(HTTPClientError) -> Client.Response {
        var request = Client.Request(method: method, url: address + VaultAPIPath.prefix + path, headers: headers, body: body)
        if let authorization { request.headers.append(("Authorization", authorization)) }
        if !body.isEmpty, !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            request.headers.append(("Content-Type", "application/octet-stream"))
        }
        var attempt = 1
        while true {
            count { $0.requests += 1; $0.bytesSent += UInt64(body.count) }
            let delay: Double
            do {
                let response = try client.send(request)
                count { $0.bytesReceived += UInt64(response.body.count) }
                guard attempt < settings.retry.attempts, RetryPolicy.isRetryable(status: response.status, idempotent: idempotent) else {
                    return response
                }
                let asked = response.header("Retry-After").flatMap(Double.init).map { min($0, 60) } ?? 0
                delay = max(settings.retry.delay(beforeRetry: attempt), asked)
            } catch {
                guard attempt < settings.retry.attempts, RetryPolicy.isRetryable(error, idempotent: idempotent) else { throw error }
                delay = settings.retry.delay(beforeRetry: attempt)
            }
            count { $0.retries += 1 }
            settings.sleep(delay)
            attempt += 1
        }
    }

    /// Sends a JSON body (or none) and decodes a JSON answer of a 2xx status; any other outcome is a `VaultClientError`.
    func call<Answer: Decodable>(_ method: String, _ path: String, body: (some Encodable)? = nil as String?, as: Answer.Type,
                                 headers: [(name: String, value: String)] = [], idempotent: Bool = true,
                                 doing action: String) throws(VaultClientError) -> Answer {
        var bytes: [UInt8] = []
        var headers = headers
        if let body {
            do { bytes = Array(try JSONEncoder().encode(body)) } catch {
                throw VaultClientError(.invalidArgument, "cannot encode the request to \(action): \(error)")
            }
            headers.append(("Content-Type", "application/json"))
        }
        let response: Client.Response
        do { response = try send(method, path, headers: headers, body: bytes, idempotent: idempotent) } catch {
            throw VaultClientError(.unreachable, "cannot reach the vault at \(address) to \(action): \(error.message)")
        }
        guard (200...299).contains(response.status) else {
            let detail = Self.errorDetail(of: response)
            throw VaultClientError(.refused, "the vault refused to \(action): \(detail.message)", vaultCode: detail.code)
        }
        do { return try JSONDecoder().decode(Answer.self, from: Data(response.body)) } catch {
            throw VaultClientError(.unexpectedAnswer,
                                   "the vault at \(address) answered the request to \(action) with something that is not the "
                                       + "API's JSON (HTTP \(response.status)); check that the address is a Haven vault")
        }
    }

    /// The error an answer carries: the API's JSON error body, or one made from the status when there is none
    /// (a proxy's error page, say).
    static func errorDetail(of response: Client.Response) -> VaultErrorBody.Detail {
        if let body = try? JSONDecoder().decode(VaultErrorBody.self, from: Data(response.body)) { return body.error }
        let excerpt = String(response.text.prefix(200)).trimmingCharacters(in: .whitespacesAndNewlines)
        return VaultErrorBody.Detail(
            code: "http_\(response.status)",
            message: "HTTP \(response.status)" + (excerpt.isEmpty ? "" : " (\(excerpt))")
                + (response.status >= 500 ? "; the vault or a proxy in front of it failed, try again later" : ""))
    }
}

/// What a connection sent and received: requests (retries included), body bytes each way, and uploads it skipped.
public struct VaultTransferStatistics: Sendable, Equatable {
    public var requests = 0
    public var retries = 0
    public var bytesSent: UInt64 = 0
    public var bytesReceived: UInt64 = 0
    /// Objects not uploaded because the vault already had them (resumption).
    public var uploadsSkipped = 0
    /// Objects uploaded.
    public var objectsUploaded = 0

    public init() {}
}
