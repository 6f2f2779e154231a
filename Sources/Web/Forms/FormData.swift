/// FormData owns a submitted form as pages see it: text fields in order and uploaded files.

/// The fields and files of one submitted form (url-encoded or multipart), already size-checked and UTF-8.
public struct FormData: Sendable, Equatable {
    /// One uploaded file of a multipart form.
    public struct File: Sendable, Equatable {
        /// The form field's name, e.g. "credentials".
        public var fieldName: String
        /// The file name as the browser sent it, reduced to its last path component ("" when none was chosen).
        public var filename: String
        /// The part's declared media type, e.g. "application/octet-stream".
        public var contentType: String
        /// The file's bytes.
        public var bytes: [UInt8]

        public init(fieldName: String, filename: String, contentType: String, bytes: [UInt8]) {
            self.fieldName = fieldName
            self.filename = filename
            self.contentType = contentType
            self.bytes = bytes
        }
    }

    /// The text fields in submission order; repeated names are kept (checkbox groups, multi-selects).
    public var fields: [(name: String, value: String)]
    /// The uploaded files in submission order.
    public var files: [File]

    public init(fields: [(name: String, value: String)] = [], files: [File] = []) {
        self.fields = fields
        self.files = files
    }

    /// The first value of the field `name`, or nil when it was not sent.
    public subscript(_ name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Every value of the field `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }

    /// The first file sent in the field `name` with a file name (an empty file input sends none).
    public func file(_ name: String) -> File? {
        files.first { $0.fieldName == name && !$0.filename.isEmpty }
    }

    /// The text fields as a dictionary of first values, for re-rendering a form with what was typed.
    public var firstValues: [String: String] {
        var values: [String: String] = [:]
        for field in fields where values[field.name] == nil { values[field.name] = field.value }
        return values
    }

    public static func == (lhs: FormData, rhs: FormData) -> Bool {
        lhs.files == rhs.files && lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}
