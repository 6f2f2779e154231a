/// MultipartForm owns parsing `multipart/form-data` bodies: text fields and uploaded files.

/// Parses a multipart/form-data body (RFC 7578) as browsers send it.
public enum MultipartForm {
    /// The fields and files of a multipart body.
    /// - Parameters:
    ///   - body: the request body.
    ///   - boundary: the `boundary` parameter of the Content-Type.
    ///   - limits: the bounds on parts, fields and files.
    /// - Throws: `WebError` 400 for a missing boundary, a part without a name, a missing closing
    ///   delimiter or text that is not UTF-8; 413 for a field or file beyond the limits.
    public static func parse(_ body: [UInt8], boundary: String, limits: FormLimits = FormLimits()) throws(WebError)
        -> FormData
    {
        guard (1...70).contains(boundary.utf8.count) else {
            throw .badRequest("the multipart form has no usable boundary; submit it again from the page")
        }
        let delimiter = Array("--\(boundary)".utf8)
        guard var position = find(delimiter, in: body, from: 0) else {
            throw .badRequest("the multipart form does not start with its boundary")
        }
        var form = FormData()
        let nextDelimiter = Array("\r\n--\(boundary)".utf8)
        while true {
            position += delimiter.count
            if body[position...].starts(with: Array("--".utf8)) { return form }
            guard body[position...].starts(with: Array("\r\n".utf8)) else {
                throw .badRequest("the multipart form has a malformed boundary line")
            }
            position += 2
            guard let end = find(nextDelimiter, in: body, from: position) else {
                throw .badRequest("the multipart form ends before its closing boundary; the upload may have been cut short")
            }
            guard form.fields.count + form.files.count < limits.maxParts else {
                throw .badRequest("the form has more than \(limits.maxParts) parts")
            }
            try add(part: body[position..<end], to: &form, limits: limits)
            position = end + 2
        }
    }

    private static func add(part: ArraySlice<UInt8>, to form: inout FormData, limits: FormLimits) throws(WebError) {
        guard let headerEnd = find(Array("\r\n\r\n".utf8), in: part, from: part.startIndex) else {
            throw .badRequest("a part of the multipart form has no header")
        }
        guard let headerText = String(validating: part[part.startIndex..<headerEnd], as: UTF8.self) else {
            throw .badRequest("a part header of the multipart form is not UTF-8")
        }
        var disposition: HeaderParameters?
        var contentType = "text/plain"
        for line in headerText.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = String(line[line.index(after: colon)...])
            if name == "content-disposition" { disposition = HeaderParameters(value) }
            if name == "content-type" { contentType = Substring(value).trimmed }
        }
        guard let disposition, disposition.value == "form-data", let name = disposition.parameters["name"], !name.isEmpty
        else {
            throw .badRequest("a part of the multipart form has no field name")
        }
        let content = Array(part[(headerEnd + 4)...])
        if let filename = disposition.parameters["filename"] {
            guard form.files.count < limits.maxFiles else {
                throw .badRequest("the form holds more than \(limits.maxFiles) files")
            }
            guard content.count <= limits.maxFileBytes else {
                throw WebError(.payloadTooLarge, "the file “\(name)” is larger than \(limits.maxFileBytes) bytes")
            }
            let base = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
            form.files.append(FormData.File(fieldName: name, filename: base, contentType: contentType, bytes: content))
        } else {
            guard content.count <= limits.maxFieldBytes else {
                throw WebError(.payloadTooLarge, "the form field “\(name)” is longer than \(limits.maxFieldBytes) bytes")
            }
            guard let value = String(validating: content, as: UTF8.self) else {
                throw .badRequest("the form field “\(name)” is not valid UTF-8")
            }
            form.fields.append((name, value))
        }
    }

    /// The index where `needle` first occurs in `haystack` at or after `start`.
    static func find<Bytes: RandomAccessCollection<UInt8>>(_ needle: [UInt8], in haystack: Bytes, from start: Int) -> Int?
        where Bytes.Index == Int
    {
        guard let first = needle.first, haystack.endIndex - start >= needle.count else { return nil }
        var index = start
        let last = haystack.endIndex - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
