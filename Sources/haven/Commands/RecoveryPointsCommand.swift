import ArgumentParser
import Repository

/// `haven recovery-points`: the recovery points in the repository, oldest first.
struct RecoveryPointsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recovery-points", abstract: "List the recovery points.")

    @OptionGroup var global: GlobalOptions

    @OptionGroup var agent: AgentClientOptions

    func run() throws {
        if global.usesAgent { return try runThroughAgent() }
        try runCommand {
            let points = try global.openRepository(loadIndex: false).recoveryPoints()
            if global.json {
                struct Entry: Encodable {
                    let id: String
                    let point: RecoveryPoint
                }
                Output.json(points.map { Entry(id: $0.id, point: $0.point) })
                return
            }
            guard !points.isEmpty else {
                Output.line("no recovery points yet; `haven backup` makes the first one")
                return
            }
            Output.line("ID        Time                 Host                 Size        Paths")
            for stored in points {
                let p = stored.point
                let time = String(p.time.prefix(19)).replacingOccurrences(of: "T", with: " ")
                Output.line("\(stored.shortID)  \(time)  \(p.hostname.padding(20))  \(Output.size(p.summary.bytes).padding(10))  \(p.paths.joined(separator: ", "))")
            }
            Output.line("\(points.count) recovery point(s)")
        }
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
