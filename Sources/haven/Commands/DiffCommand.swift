import ArgumentParser
import Backup
import Repository

/// `haven diff`: what changed between two recovery points.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Show what changed between two recovery points.",
        discussion: "+ added, - removed, M content modified, U metadata only, T type changed.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The first recovery point.")
    var first: String

    @Argument(help: "The second recovery point.")
    var second: String

    func run() throws {
        try runCommand {
            let repository = try global.openRepository()
            let points = try repository.recoveryPoints()
            let a = try repository.resolveRecoveryPoint(first, in: points)
            let b = try repository.resolveRecoveryPoint(second, in: points)
            let differences = try TreeWalker(repository: repository).diff(a, b)
            if global.json {
                Output.json(differences.map { ["change": $0.change.rawValue, "path": $0.path] })
                return
            }
            for difference in differences { Output.line("\(difference.change.rawValue)  \(difference.path)") }
            var counts: [Difference.Change: Int] = [:]
            for difference in differences { counts[difference.change, default: 0] += 1 }
            Output.line("added \(counts[.added] ?? 0), removed \(counts[.removed] ?? 0), modified \(counts[.modified] ?? 0), metadata \(counts[.metadata] ?? 0), type \(counts[.type] ?? 0)")
        }
    }
}
