/// HeaderParameters owns reading `value; key=value; key="quoted"` header fields (Content-Type, Content-Disposition).

/// A header value split into its main token and its parameters (names lowercased, quotes removed).
struct HeaderParameters: Equatable {
    /// The part before the first `;`, lowercased and trimmed, e.g. "multipart/form-data".
    var value: String
    /// Parameters by lowercased name, e.g. ["boundary": "abc"].
    var parameters: [String: String]

    init(_ header: String) {
        var characters = Substring(header)
        value = Self.take(&characters, until: ";").trimmed.lowercased()
        parameters = [:]
        while !characters.isEmpty {
            characters = characters.dropFirst()
            let name = Self.take(&characters, until: "=;").trimmed.lowercased()
            var parameterValue = ""
            if characters.first == "=" {
                characters = characters.dropFirst()
                characters = characters.drop { $0 == " " || $0 == "\t" }
                if characters.first == "\"" {
                    parameterValue = Self.quoted(&characters)
                    _ = Self.take(&characters, until: ";")
                } else {
                    parameterValue = Self.take(&characters, until: ";").trimmed
                }
            }
            if !name.isEmpty, parameters[name] == nil { parameters[name] = parameterValue }
        }
    }

    private static func take(_ characters: inout Substring, until stops: String) -> Substring {
        let end = characters.firstIndex { stops.contains($0) } ?? characters.endIndex
        defer { characters = characters[end...] }
        return characters[..<end]
    }

    /// Reads a quoted string starting at `"`, undoing `\"` and `\\` escapes.
    private static func quoted(_ characters: inout Substring) -> String {
        var result = ""
        var index = characters.index(after: characters.startIndex)
        while index < characters.endIndex, characters[index] != "\"" {
            if characters[index] == "\\", characters.index(after: index) < characters.endIndex {
                index = characters.index(after: index)
            }
            result.append(characters[index])
            index = characters.index(after: index)
        }
        characters = index < characters.endIndex ? characters[characters.index(after: index)...] : characters[index...]
        return result
    }
}

extension Substring {
    var trimmed: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
