/// The per-request state libcurl's callbacks read the upload from and write the response into.
internal import CCurl

/// The body to send, and the status line, headers and body received, for one transfer.
/// Used only by the thread running `curl_easy_perform`.
final class Transfer {
    private let upload: [UInt8]
    private var uploaded = 0
    private let maxResponseSize: Int
    private(set) var headers: [(name: String, value: String)] = []
    private(set) var body: [UInt8] = []
    private(set) var tooLarge = false

    init(upload: [UInt8], maxResponseSize: Int) {
        self.upload = upload
        self.maxResponseSize = maxResponseSize
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> Transfer {
        Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    }

    /// CURLOPT_WRITEFUNCTION: appends body bytes; returning less than given aborts the transfer.
    static let write: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        data, size, count, context in
        let transfer = from(context)
        let length = size * count
        // Content-Length is checked by CURLOPT_MAXFILESIZE_LARGE; this catches chunked bodies.
        guard transfer.body.count + length <= transfer.maxResponseSize else {
            transfer.tooLarge = true
            return 0
        }
        if let data, length > 0 {
            transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
        }
        return length
    }

    /// CURLOPT_HEADERFUNCTION: one header line at a time; a new status line starts over (after 100 Continue).
    static let header: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        data, size, count, context in
        let transfer = from(context)
        let length = size * count
        guard let data else { return length }
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            transfer.headers = []
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t\r\n")
            transfer.headers.append((name, value))
        }
        return length
    }

    /// CURLOPT_READFUNCTION: hands curl the next piece of the upload; 0 means done.
    static let read: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        buffer, size, count, context in
        let transfer = from(context)
        guard let buffer else { return 0 }
        let length = min(size * count, transfer.upload.count - transfer.uploaded)
        transfer.upload.withUnsafeBytes { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + transfer.uploaded, byteCount: length)
        }
        transfer.uploaded += length
        return length
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
