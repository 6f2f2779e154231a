/// Exclusion is one "leave this out" rule of a backup goal, as MARS offers them: a folder, or files matching a
/// wildcard in a folder with or without its subfolders.

/// One exclusion rule, with its translation to the archiver's exclude patterns.
public struct Exclusion: Codable, Sendable, Hashable {
    /// An absolute folder path.
    public let folder: String
    /// A wildcard for names inside `folder` ("*.tmp"); nil to leave out the whole folder.
    public let wildcard: String?
    /// Whether `wildcard` also applies in subfolders of `folder`.
    public let subfolders: Bool

    public init(folder: String, wildcard: String? = nil, subfolders: Bool = true) throws(GoalError) {
        guard folder.hasPrefix("/"), !folder.utf8.contains(0) else {
            throw GoalError(field: "exclusions", "an excluded folder must be an absolute path such as /srv/cache, got \(String(reflecting: folder))")
        }
        let trimmed = folder.count > 1 && folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        guard !trimmed.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            throw GoalError(field: "exclusions", "an excluded folder may not contain . or .. components: \(folder)")
        }
        if let wildcard {
            guard !wildcard.isEmpty, !wildcard.contains("/"), !wildcard.utf8.contains(0) else {
                throw GoalError(field: "exclusions", "a wildcard names files inside the folder, without '/', such as *.tmp; got \(String(reflecting: wildcard))")
            }
        }
        self.folder = trimmed
        self.wildcard = wildcard
        self.subfolders = subfolders
    }

    /// The archiver pattern (see `ExcludeMatcher`) this rule means.
    public var pattern: String {
        let base = folder == "/" ? "" : folder
        guard let wildcard else { return folder }
        return subfolders ? "\(base)/**/\(wildcard)" : "\(base)/\(wildcard)"
    }

    /// In words, for the portal.
    public var summary: String {
        guard let wildcard else { return "\(folder) (the folder)" }
        return "\(wildcard) in \(folder)" + (subfolders ? " and its subfolders" : " only")
    }
}

/// A backup goal the user entered that cannot be kept, naming the form field it concerns.
public struct GoalError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { message }
}
