/// Markdown owns cmark: CommonMark in, safe HTML out, for help pages and notes shown in the portals.
internal import CCmark
#if canImport(Glibc)
import Glibc
#endif

/// Renders CommonMark to HTML with cmark.
///
/// The output is safe to embed in a page built from untrusted Markdown: cmark's default (safe) mode
/// replaces raw HTML blocks and inline tags with `<!-- raw HTML omitted -->` and drops `javascript:`,
/// `vbscript:`, `file:` and most `data:` link targets. `CMARK_OPT_UNSAFE` is never passed.
/// Smart punctuation is off, so quotes and dashes come out as typed.
///
/// This is plain CommonMark (cmark 0.30), not GitHub Flavored Markdown: there are no tables,
/// task lists, strikethrough or autolinked bare URLs. A pipe table renders as a paragraph of text.
public enum Markdown {
    /// The HTML for `markdown`.
    /// - Parameter markdown: CommonMark source, possibly from an untrusted user.
    /// - Returns: an HTML fragment (no `<html>` or `<body>`), with raw HTML omitted.
    public static func html(_ markdown: String) -> String {
        var source = markdown
        return source.withUTF8 { bytes in
            // The length is passed explicitly, so embedded NULs are handled (cmark turns them into U+FFFD).
            guard let rendered = bytes.withMemoryRebound(to: CChar.self, { chars in
                cmark_markdown_to_html(chars.baseAddress, chars.count, options)
            }) else {
                return ""
            }
            // cmark hands back a malloc'd buffer that the caller owns.
            defer { free(rendered) }
            return String(cString: rendered)
        }
    }

    /// The plain text of the first heading (ATX `#` or setext), or nil when there is none or it is empty.
    ///
    /// Inline markup is flattened: `# The *vault* API` gives "The vault API".
    /// - Parameter markdown: CommonMark source.
    public static func title(of markdown: String) -> String? {
        var source = markdown
        guard let document = source.withUTF8({ bytes in
            bytes.withMemoryRebound(to: CChar.self) { cmark_parse_document($0.baseAddress, $0.count, options) }
        }) else {
            return nil
        }
        defer { cmark_node_free(document) }
        guard let iterator = cmark_iter_new(document) else { return nil }
        defer { cmark_iter_free(iterator) }

        var inHeading = false
        var text = ""
        while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
            let node = cmark_iter_get_node(iterator)
            let type = cmark_node_get_type(node)
            if type == CMARK_NODE_HEADING {
                if event == CMARK_EVENT_EXIT { break }
                inHeading = true
            } else if inHeading, event == CMARK_EVENT_ENTER {
                switch type {
                case CMARK_NODE_TEXT, CMARK_NODE_CODE:
                    if let literal = cmark_node_get_literal(node) { text += String(cString: literal) }
                case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
                    text += " "
                default:
                    break
                }
            }
        }
        let title = text.trimmingWhitespace()
        return title.isEmpty ? nil : title
    }

    private static let options = CMARK_OPT_DEFAULT
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
