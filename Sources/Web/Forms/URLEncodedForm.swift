/// URLEncodedForm owns parsing `application/x-www-form-urlencoded` bodies (and query strings of that shape).

/// Parses `name=value&name=value` with `+` for space and `%XX` escapes, refusing what a browser would never send.
public enum URLEncodedForm {
    /// The fields of an url-encoded body.
    /// - Throws: `WebError` 400 for a bad `%` escape, bytes that are not UTF-8, or more fields than allowed;
    ///   413 for a field longer than allowed.
    public static func parse(_ body: [UInt8], limits: FormLimits = FormLimits()) throws(WebError) -> FormData {
        var fields: [(name: String, value: String)] = []
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            guard fields.count < limits.maxParts else {
                throw .badRequest("the form has more than \(limits.maxParts) fields")
            }
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = equals.map { pair[pair.startIndex..<$0] } ?? pair[...]
            let rawValue = equals.map { pair[($0 + 1)...] } ?? []
            guard rawValue.count <= limits.maxFieldBytes * 3 else {
                throw WebError(.payloadTooLarge, "a form field is longer than \(limits.maxFieldBytes) bytes")
            }
            let name = try decode(rawName)
            let value = try decode(rawValue)
            guard value.utf8.count <= limits.maxFieldBytes else {
                throw WebError(.payloadTooLarge, "the form field “\(name)” is longer than \(limits.maxFieldBytes) bytes")
            }
            fields.append((name, value))
        }
        return FormData(fields: fields)
    }

    /// Decodes one component: `+` → space, `%XX` → byte, then UTF-8.
    static func decode(_ raw: ArraySlice<UInt8>) throws(WebError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < raw.endIndex,
                      let high = hexValue(raw[index + 1]), let low = hexValue(raw[index + 2])
                else {
                    throw .badRequest("the form holds a malformed %-escape; submit it again from the page")
                }
                bytes.append(high << 4 | low)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .badRequest("the form holds text that is not valid UTF-8")
        }
        return text
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
