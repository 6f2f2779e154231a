/// Mail sends one email through an SMTP server with libcurl: the agent's notifications.
internal import CCurl
import Foundation

/// A plain-text email.
public struct Mail: Sendable, Equatable {
    public var from: String
    public var to: [String]
    public var subject: String
    public var body: String

    public init(from: String, to: [String], subject: String, body: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
    }

    /// The message as SMTP carries it: headers, a blank line, the body with CRLF line ends.
    var rfc5322: [UInt8] {
        func clean(_ text: String) -> String { text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ") }
        var lines = ["From: <\(clean(from))>", "To: " + to.map { "<\(clean($0))>" }.joined(separator: ", "),
                     "Subject: \(clean(subject))", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", ""]
        lines += body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return Array(lines.joined(separator: "\r\n").utf8) + Array("\r\n".utf8)
    }
}

extension Client {
    /// Sends `mail` through `server` ("smtp://host:25", "smtp://host:587" which upgrades to TLS when offered, or
    /// "smtps://host:465"), logging in when a user name is given. Throws with the server's or curl's reason.
    public static func sendMail(_ mail: Mail, server: String, username: String? = nil, password: String? = nil,
                                timeout: Duration = .seconds(30)) throws(HTTPClientError) {
        let lowered = server.lowercased()
        guard lowered.hasPrefix("smtp://") || lowered.hasPrefix("smtps://") else {
            throw HTTPClientError(code: .other, message: "\(server) is not an SMTP address (smtp://host:port or smtps://host:port)",
                                  curlCode: Int(CURLE_UNSUPPORTED_PROTOCOL.rawValue))
        }
        guard let curl = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        defer { curl_easy_cleanup(curl) }
        let transfer = Transfer(upload: mail.rfc5322, maxResponseSize: 1 << 20)
        var recipients: UnsafeMutablePointer<curl_slist>?
        for address in mail.to { recipients = curl_slist_append(recipients, "<\(address)>") }
        defer { curl_slist_free_all(recipients) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let seconds = Int(timeout.components.seconds)
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorBuffer in
            withExtendedLifetime(transfer) {
                let context = Unmanaged.passUnretained(transfer).toOpaque()
                _ = CCurl_setopt_string(curl, CURLOPT_URL, server)
                _ = CCurl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
                _ = CCurl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps")
                _ = CCurl_setopt_long(curl, CURLOPT_TIMEOUT_MS, max(1, seconds) * 1000)
                _ = CCurl_setopt_long(curl, CURLOPT_USE_SSL, Int(CURLUSESSL_TRY.rawValue))
                _ = CCurl_setopt_string(curl, CURLOPT_MAIL_FROM, "<\(mail.from)>")
                _ = CCurl_setopt_pointer(curl, CURLOPT_MAIL_RCPT, recipients)
                if let username { _ = CCurl_setopt_string(curl, CURLOPT_USERNAME, username) }
                if let password { _ = CCurl_setopt_string(curl, CURLOPT_PASSWORD, password) }
                _ = CCurl_setopt_long(curl, CURLOPT_UPLOAD, 1)
                _ = CCurl_setopt_offset(curl, CURLOPT_INFILESIZE_LARGE, curl_off_t(mail.rfc5322.count))
                _ = CCurl_setopt_read_callback(curl, Transfer.read)
                _ = CCurl_setopt_pointer(curl, CURLOPT_READDATA, context)
                _ = CCurl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, errorBuffer.baseAddress)
                return curl_easy_perform(curl)
            }
        }
        guard code == CURLE_OK else {
            let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw HTTPClientError(curlCode: code, detail: detail, url: server, maxResponseSize: 1 << 20)
        }
    }
}
