/// One curl easy handle: setting a request's options, running the transfer, collecting the response.
internal import CCurl

/// Wraps a `CURL*`. Used by one thread at a time (see `HandlePool`); cleaned up in `deinit`.
final class EasyHandle {
    private let curl: UnsafeMutableRawPointer
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

    init() {
        guard let curl = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.curl = curl
    }

    deinit {
        curl_easy_cleanup(curl)
    }

    func perform(_ request: Client.Request, configuration: Client.Configuration) throws(HTTPClientError) -> Client.Response {
        // reset clears options but keeps the connection cache, which is what makes keep-alive work.
        curl_easy_reset(curl)
        let transfer = Transfer(upload: request.body, maxResponseSize: configuration.maxResponseSize)
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        defer { curl_slist_free_all(headerList) }

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorBuffer in
            withExtendedLifetime(transfer) {
                let context = Unmanaged.passUnretained(transfer).toOpaque()
                setOptions(request, configuration, headers: headerList, context: context)
                _ = CCurl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, errorBuffer.baseAddress)
                errorBuffer[0] = 0
                let code = curl_easy_perform(curl)
                _ = CCurl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, nil)
                return code
            }
        }
        guard code == CURLE_OK else {
            let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if transfer.tooLarge {
                throw HTTPClientError(
                    curlCode: CURLE_FILESIZE_EXCEEDED, detail: "response body over \(configuration.maxResponseSize) bytes",
                    url: request.url, maxResponseSize: configuration.maxResponseSize)
            }
            throw HTTPClientError(
                curlCode: code, detail: detail, url: request.url, maxResponseSize: configuration.maxResponseSize)
        }
        var status = 0
        var connects = 0
        _ = CCurl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        _ = CCurl_getinfo_long(curl, CURLINFO_NUM_CONNECTS, &connects)
        return Client.Response(
            status: status, headers: transfer.headers, body: transfer.body, reusedConnection: connects == 0)
    }

    private func setOptions(
        _ request: Client.Request, _ configuration: Client.Configuration, headers: UnsafeMutablePointer<curl_slist>?,
        context: UnsafeMutableRawPointer
    ) {
        _ = CCurl_setopt_string(curl, CURLOPT_URL, request.url)
        _ = CCurl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        // Only HTTP(S): a URL from a credentials file must not be able to read file:// or speak other protocols.
        _ = CCurl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = CCurl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(configuration.connectTimeout))
        _ = CCurl_setopt_long(curl, CURLOPT_TIMEOUT_MS, milliseconds(request.timeout ?? configuration.timeout))
        _ = CCurl_setopt_offset(curl, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxResponseSize))
        _ = CCurl_setopt_pointer(curl, CURLOPT_HTTPHEADER, headers)
        _ = CCurl_setopt_write_callback(curl, Transfer.write)
        _ = CCurl_setopt_pointer(curl, CURLOPT_WRITEDATA, context)
        _ = CCurl_setopt_header_callback(curl, Transfer.header)
        _ = CCurl_setopt_pointer(curl, CURLOPT_HEADERDATA, context)

        switch request.method.uppercased() {
        case "GET" where request.body.isEmpty:
            break
        case "HEAD":
            _ = CCurl_setopt_long(curl, CURLOPT_NOBODY, 1)
        default:
            // POST with a read callback sends any body with a Content-Length; CUSTOMREQUEST renames the method.
            if !request.body.isEmpty || request.method.uppercased() == "POST" {
                _ = CCurl_setopt_long(curl, CURLOPT_POST, 1)
                _ = CCurl_setopt_offset(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
                _ = CCurl_setopt_read_callback(curl, Transfer.read)
                _ = CCurl_setopt_pointer(curl, CURLOPT_READDATA, context)
            }
            _ = CCurl_setopt_string(curl, CURLOPT_CUSTOMREQUEST, request.method)
        }

        if let pin = configuration.pinnedPublicKeySHA256 {
            _ = CCurl_setopt_string(curl, CURLOPT_PINNEDPUBLICKEY, "sha256//\(pin)")
            // The pin is the trust anchor: a self-signed certificate and any host name are fine if the key matches.
            _ = CCurl_setopt_long(curl, CURLOPT_SSL_VERIFYPEER, 0)
            _ = CCurl_setopt_long(curl, CURLOPT_SSL_VERIFYHOST, 0)
        }
        switch configuration.proxy {
        case .environment: break
        case .none: _ = CCurl_setopt_string(curl, CURLOPT_PROXY, "")
        case .url(let proxy): _ = CCurl_setopt_string(curl, CURLOPT_PROXY, proxy)
        }
        if let limit = configuration.maxSendBytesPerSecond {
            _ = CCurl_setopt_offset(curl, CURLOPT_MAX_SEND_SPEED_LARGE, curl_off_t(limit))
        }
        if let limit = configuration.maxReceiveBytesPerSecond {
            _ = CCurl_setopt_offset(curl, CURLOPT_MAX_RECV_SPEED_LARGE, curl_off_t(limit))
            // curl 7.88 checks the rate only between bursts of up to 100 buffer-fulls, so with the default
            // 16 kB buffer a fast link delivers 1.6 MB unthrottled; a buffer of a millisecond's worth keeps
            // each burst near 0.1 s of budget.
            _ = CCurl_setopt_long(curl, CURLOPT_BUFFERSIZE, min(max(limit / 1000, 1024), 16384))
        }
    }

    private func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
