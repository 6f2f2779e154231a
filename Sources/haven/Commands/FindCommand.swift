import ArgumentParser
import Backup
import Repository

/// `haven find`: entries matching a pattern, across every recovery point.
struct FindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find", abstract: "Find files by name pattern across all recovery points.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A shell pattern: matched against names, or against whole paths if it contains /.")
    var pattern: String

    func run() throws {
        try runCommand {
            let repository = try global.openRepository()
            let walker = TreeWalker(repository: repository)
            var matches = 0
            for point in try repository.recoveryPoints() {
                try walker.find(pattern, in: point) { entry in
                    matches += 1
                    if global.json {
                        struct Match: Encodable {
                            let recoveryPoint: String
                            let time: String
                            let entry: EntryJSON
                        }
                        Output.json(Match(recoveryPoint: point.id, time: point.point.time, entry: EntryJSON(entry)))
                    } else {
                        Output.line("\(point.shortID)  \(EntryJSON.longLine(entry))")
                    }
                }
            }
            if !global.json { Output.line("\(matches) match(es)") }
        }
    }
}
