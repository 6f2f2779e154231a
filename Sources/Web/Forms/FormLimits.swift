/// FormLimits owns the bounds a submitted form must stay within before any page sees it.

/// How much a form may hold; beyond these it is refused with 400 or 413 and a reason.
///
/// The server's `maxBodySize` bounds the whole body first; these bound its parts, so a form of many
/// tiny fields or one huge text field cannot cost more than a page expects.
public struct FormLimits: Sendable, Equatable {
    /// The most text fields plus files in one form.
    public var maxParts: Int = 1000
    /// The longest text field value, in bytes.
    public var maxFieldBytes: Int = 1 << 20
    /// The largest uploaded file, in bytes.
    public var maxFileBytes: Int = 8 << 20
    /// The most files in one form.
    public var maxFiles: Int = 16

    public init(maxParts: Int = 1000, maxFieldBytes: Int = 1 << 20, maxFileBytes: Int = 8 << 20, maxFiles: Int = 16) {
        self.maxParts = maxParts
        self.maxFieldBytes = maxFieldBytes
        self.maxFileBytes = maxFileBytes
        self.maxFiles = maxFiles
    }
}
