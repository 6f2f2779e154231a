/// HelpPages owns the help section: listing `docs/*.md` and rendering one with cmark.
import Foundation
import Markdown

/// The Markdown documents of one folder, shown as help pages.
///
/// A page is named by its file name without `.md`; only names of lowercase letters, digits, `-` and
/// `_` are listed or opened, so a request can never name a file outside the folder.
public struct HelpPages: Sendable {
    /// One document: its name in URLs and its title (its first heading, or the name).
    public struct Page: Sendable, Equatable {
        public var name: String
        public var title: String
    }

    /// One rendered document.
    public struct Rendered: Sendable, Equatable {
        public var title: String
        /// Safe HTML from cmark (raw HTML in the source is omitted).
        public var html: String
    }

    /// The folder of `.md` files.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The documents, sorted by title; empty when the folder is missing.
    public func list() -> [Page] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { file -> Page? in
            guard file.hasSuffix(".md") else { return nil }
            let name = String(file.dropLast(3))
            guard Self.isSafe(name), let source = read(name) else { return nil }
            return Page(name: name, title: Markdown.title(of: source) ?? name)
        }.sorted { $0.title.localizedStandardCompare($1.title) == .orderedAscending }
    }

    /// The document `name` rendered to HTML.
    /// - Throws: `WebError.notFound` for an unsafe or unknown name.
    public func render(_ name: String) throws(WebError) -> Rendered {
        guard Self.isSafe(name), let source = read(name) else {
            throw .notFound("there is no help page called “\(name)”; see the list of help pages")
        }
        return Rendered(title: Markdown.title(of: source) ?? name, html: Markdown.html(source))
    }

    /// True for names made of `a-z`, `0-9`, `-` and `_`, at most 100 characters.
    public static func isSafe(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 100
            && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 }
    }

    private func read(_ name: String) -> String? {
        FileManager.default.contents(atPath: "\(directory)/\(name).md").map { String(decoding: $0, as: UTF8.self) }
    }
}
