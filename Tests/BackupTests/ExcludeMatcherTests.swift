import Backup
import Testing

@Suite("Exclude patterns")
struct ExcludeMatcherTests {
    func excluded(_ patterns: [String], _ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return ExcludeMatcher(patterns: patterns).excludes(path: Array(path.utf8), name: Array(name.utf8))
    }

    @Test("a name pattern matches at any depth")
    func names() {
        #expect(excluded(["*.tmp"], "/srv/a.tmp"))
        #expect(excluded(["*.tmp"], "/srv/x/y/b.tmp"))
        #expect(!excluded(["*.tmp"], "/srv/a.tmp.keep"))
    }

    @Test("a path pattern's * stays within one directory")
    func paths() {
        #expect(excluded(["/srv/data/*.tmp"], "/srv/data/a.tmp"))
        #expect(!excluded(["/srv/data/*.tmp"], "/srv/data/sub/a.tmp"))
        #expect(excluded(["/home/*/.cache"], "/home/ann/.cache"))
    }

    @Test("PREFIX/**/NAME matches below the prefix at any depth, and nowhere else")
    func recursive() {
        #expect(excluded(["/srv/data/**/*.tmp"], "/srv/data/a.tmp"))
        #expect(excluded(["/srv/data/**/*.tmp"], "/srv/data/sub/deeper/a.tmp"))
        #expect(!excluded(["/srv/data/**/*.tmp"], "/srv/database/a.tmp"))
        #expect(!excluded(["/srv/data/**/*.tmp"], "/srv/other/a.tmp"))
        #expect(!excluded(["/srv/data/**/*.tmp"], "/srv/data/a.txt"))
    }
}
