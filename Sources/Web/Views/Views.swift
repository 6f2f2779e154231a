/// Views owns the Mustache templates under `templates/` and rendering a page inside the shared layout.
import Foundation
import HTTPServer
import Mustache

/// The portal's templates, loaded once at start.
///
/// Every page is its own template rendered first, then placed in `layout.mustache` as `{{{content}}}`
/// with the title, the navigation, the flash message and the CSRF token. Values are HTML-escaped
/// unless a template uses `{{{triple}}}` mustaches. Partials are named by their path under `templates/`:
/// `{{>partials/csrf}}`.
public struct Views: Sendable {
    /// One entry of the top bar's navigation.
    public struct NavItem: Sendable, Equatable {
        public var title: String
        public var path: String

        public init(_ title: String, path: String) {
            self.title = title
            self.path = path
        }
    }

    /// What the layout needs from the request.
    struct Chrome {
        var csrfToken: String
        var path: String
        var signedIn: Bool
        var flash: Flash?
    }

    /// The name shown in the top bar and in titles, e.g. "Haven Vault".
    public let productName: String
    /// The top bar's links (shown when signed in).
    public let navigation: [NavItem]
    private let library: MustacheLibrary

    /// Loads every `*.mustache` file under `directory`.
    /// - Throws: `WebError` (`.resourcesNotFound`) when the folder is missing, a file is unreadable, or a
    ///   template does not parse (naming the file and line), or `layout.mustache` is missing.
    public init(directory: String, productName: String, navigation: [NavItem] = []) throws(WebError) {
        self.productName = productName
        self.navigation = navigation
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw WebError(.resourcesNotFound, "the templates folder \(directory) cannot be read")
        }
        var library = MustacheLibrary()
        for case let file as String in enumerator where file.hasSuffix(".mustache") {
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(file)") else {
                throw WebError(.resourcesNotFound, "the template \(directory)/\(file) cannot be read")
            }
            do {
                try library.register(String(decoding: data, as: UTF8.self), named: String(file.dropLast(".mustache".count)))
            } catch {
                throw WebError(.resourcesNotFound, "the template \(directory)/\(file) does not parse: \(error)")
            }
        }
        guard library.getTemplate(named: "layout") != nil else {
            throw WebError(.resourcesNotFound, "the templates folder \(directory) has no layout.mustache")
        }
        self.library = library
    }

    /// Renders one template with `context`, without the layout (for fragments and e-mails).
    /// - Throws: `WebError` 500 when there is no such template.
    public func render(_ template: String, _ context: [String: Any]) throws(WebError) -> String {
        guard let rendered = library.render(context, withTemplate: template) else {
            throw WebError(.internalError, "there is no template called \(template)")
        }
        return rendered
    }

    func page(_ template: String, title: String, context: [String: Any], chrome: Chrome, status: Int) throws(WebError)
        -> Response
    {
        var common: [String: Any] = ["csrfToken": chrome.csrfToken, "title": title, "productName": productName]
        var pageContext = context
        pageContext.merge(common) { page, _ in page }
        common["content"] = try render(template, pageContext)
        common["signedIn"] = chrome.signedIn
        common["nav"] = chrome.signedIn ? navigation.map { item -> [String: Any] in
            let current = item.path == "/" ? chrome.path == "/" : chrome.path == item.path || chrome.path.hasPrefix(item.path + "/")
            return ["title": item.title, "path": item.path, "current": current]
        } : []
        if let flash = chrome.flash { common["flash"] = ["kind": flash.kind.rawValue, "message": flash.message] }
        return .html(try render("layout", common), status: status)
    }
}
