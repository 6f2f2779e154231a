/// Markdown: CommonMark rendering through cmark, safe by default, and title extraction.
import Markdown
import Testing

@Suite("Markdown")
struct MarkdownTests {
    @Test("headings render as h1 to h6, ATX and setext")
    func headings() {
        #expect(Markdown.html("# One\n\n### Three") == "<h1>One</h1>\n<h3>Three</h3>\n")
        #expect(Markdown.html("Two\n---") == "<h2>Two</h2>\n")
    }

    @Test("fenced code keeps its language class and escapes its content")
    func codeBlocks() {
        let html = Markdown.html("```swift\nlet a = 1 < 2 && true\n```")
        #expect(html == "<pre><code class=\"language-swift\">let a = 1 &lt; 2 &amp;&amp; true\n</code></pre>\n")
        #expect(Markdown.html("use `<b>` here") == "<p>use <code>&lt;b&gt;</code> here</p>\n")
    }

    @Test("pipe tables are not supported: plain CommonMark renders them as a paragraph")
    func tablesAreText() {
        let html = Markdown.html("| a | b |\n|---|---|\n| 1 | 2 |")
        #expect(!html.contains("<table"))
        #expect(html.hasPrefix("<p>| a | b |"))
    }

    @Test("raw HTML, script tags included, is omitted")
    func rawHTMLOmitted() {
        let block = Markdown.html("<script>alert(1)</script>\n\ntext")
        #expect(!block.contains("<script"))
        #expect(block.contains("<!-- raw HTML omitted -->"))
        let inline = Markdown.html("hello <img src=x onerror=alert(1)> world")
        #expect(!inline.contains("<img"))
        #expect(inline == "<p>hello <!-- raw HTML omitted --> world</p>\n")
    }

    @Test("links render; javascript: targets are dropped")
    func links() {
        #expect(
            Markdown.html("[docs](https://example.com/a?b=1&c=2 \"Docs\")")
                == "<p><a href=\"https://example.com/a?b=1&amp;c=2\" title=\"Docs\">docs</a></p>\n")
        #expect(Markdown.html("[x](javascript:alert(1))") == "<p><a href=\"\">x</a></p>\n")
        #expect(Markdown.html("<https://example.com>") == "<p><a href=\"https://example.com\">https://example.com</a></p>\n")
    }

    @Test("smart punctuation is off: quotes and dashes stay as typed")
    func noSmartPunctuation() {
        #expect(Markdown.html("\"quoted\" -- dash...") == "<p>&quot;quoted&quot; -- dash...</p>\n")
    }

    @Test("the title is the first heading's plain text")
    func title() {
        #expect(Markdown.title(of: "intro\n\n# The *vault* `API`\n\n## Later") == "The vault API")
        #expect(Markdown.title(of: "Setext title\n===\n\n# Second") == "Setext title")
        #expect(Markdown.title(of: "no heading here\n\n    # indented code") == nil)
        #expect(Markdown.title(of: "#\n\ntext") == nil)
    }

    @Test("input with a NUL byte renders without truncation")
    func nulByte() {
        #expect(Markdown.html("a\u{0}b") == "<p>a\u{FFFD}b</p>\n")
    }
}
