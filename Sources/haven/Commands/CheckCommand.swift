import ArgumentParser
import Repository

/// `haven check`: verify the repository's structure and, with --read-data, every byte.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Verify the repository: structure, and with --read-data every blob.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Read every pack, verify its hash, and decrypt and verify every blob.")
    var readData = false

    func run() throws {
        try runCommand {
            let repository = try global.openRepository(loadIndex: false)
            let report = try Checker(repository: repository).run(readData: readData)
            if global.json {
                struct Report: Encodable {
                    let healthy: Bool
                    let keys, indexes, packs, blobs, trees, recoveryPoints: Int
                    let bytesRead: UInt64
                    let unindexedPacks: [String]
                    let problems: [String]
                }
                Output.json(Report(healthy: report.isHealthy, keys: report.keys, indexes: report.indexes, packs: report.packs,
                                   blobs: report.blobs, trees: report.trees, recoveryPoints: report.recoveryPoints,
                                   bytesRead: report.bytesRead, unindexedPacks: report.unindexedPacks,
                                   problems: report.problems.map(\.description)))
            } else {
                Output.line("checked \(report.keys) key slot(s), \(report.indexes) index object(s), \(report.packs) pack(s), \(report.blobs) blob(s), \(report.trees) tree(s), \(report.recoveryPoints) recovery point(s)\(readData ? ", read \(Output.size(report.bytesRead))" : "")")
                if !report.unindexedPacks.isEmpty {
                    Output.line("\(report.unindexedPacks.count) pack(s) no index names (left by an interrupted backup; the next backup reuses them)")
                }
                for problem in report.problems { Output.line("error: \(problem)") }
                Output.line(report.isHealthy ? "no errors were found" : "\(report.problems.count) error(s) found")
            }
            if !report.isHealthy { throw ExitCode.failure }
        }
    }
}
