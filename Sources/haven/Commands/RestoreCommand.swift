import ArgumentParser
import Backup
import Repository

extension ConflictPolicy: ExpressibleByArgument {}

/// `haven restore`: a recovery point, or parts of it, under a target directory.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a recovery point (or some paths of it) under a target directory.",
        discussion: """
            The recovery point's paths are recreated under the target: /srv/www comes back as TARGET/srv/www.
            With --volume the point's whole volume is restored with its root at the target: the files of a volume
            mounted at /srv come back directly in TARGET (typically the mount point of a fresh filesystem), or at
            /srv itself with --original.
            When an entry exists already: `copy` (the default) restores beside it as "YYYY-MM-DD HH-MM Copy of NAME",
            `overwrite` replaces it, `skip` keeps it.
            """)

    @OptionGroup var global: GlobalOptions

    @OptionGroup var agent: AgentClientOptions

    @Flag(name: .long, help: "Without --repo/--vault: wait for the agent's restore to end and exit with its result.")
    var wait = false

    @Option(name: .long, help: "Worker threads (default: one per processor).")
    var threads: Int?

    @Argument(help: "The recovery point: an id, a unique prefix, or \"latest\".")
    var recoveryPoint: String

    @Option(name: .long, help: "The directory to restore under (created if missing); with --volume, the volume's root.")
    var target: String?

    @Flag(name: .long, help: "Without --repo/--vault: restore to where the files were (a volume: its mount point) instead of --target.")
    var original = false

    @Flag(name: .long, help: "Restore the point's whole volume with its root at the target, not under TARGET/mount/point.")
    var volume = false

    @Option(name: .long, help: "Restore only this absolute path of the recovery point. Repeatable.")
    var include: [String] = []

    @Option(name: .long, help: "What to do when an entry exists: copy, overwrite or skip.")
    var conflict: ConflictPolicy = .copy

    @Flag(name: .long, help: "Do not restore owners, modes, extended attributes and ACLs.")
    var noPermissions = false

    func validate() throws {
        if original == (target != nil) { throw ValidationError("give either --target DIR or --original (where the files were)") }
        if original, !global.usesAgent { throw ValidationError("--original restores through the agent; with --repo or --vault give --target") }
        if let threads, !(1...64).contains(threads) { throw ValidationError("--threads must be between 1 and 64") }
        if global.usesAgent, threads != nil { throw ValidationError("--threads applies to a restore from --repo or --vault; the agent chooses its own") }
        if !global.usesAgent, wait { throw ValidationError("--wait follows the agent's restore; a restore from --repo or --vault always runs to its end") }
    }

    func run() throws {
        if global.usesAgent { return try runThroughAgent() }
        try runCommand {
            let started = SystemClock.monotonic()
            let repository = try global.openRepository()
            let point = try repository.resolveRecoveryPoint(recoveryPoint)
            let target = self.target ?? "/"
            var options = RestoreOptions(target: target, copyStamp: SystemClock.copyStamp(), threads: threads ?? SystemClock.processors)
            options.includes = include
            if volume {
                guard point.point.paths.count == 1, let root = point.point.paths.first else {
                    throw CommandFailure("recovery point \(point.shortID) holds \(point.point.paths.count) paths; --volume restores the point "
                        + "of one volume (one backed-up mount point)")
                }
                options.sourceRoot = root
            }
            options.conflict = conflict
            options.restorePermissions = !noPermissions
            let result = try Restorer(repository: repository, point: point, options: options).run()
            let seconds = SystemClock.monotonic() - started
            if global.json {
                struct Report: Encodable {
                    let recoveryPoint: String
                    let files, directories, otherEntries, skipped: Int
                    let bytes: UInt64
                    let copies: [String]
                    let warnings: [String]
                    let durationSeconds: Double
                }
                Output.json(Report(recoveryPoint: point.id, files: result.files, directories: result.directories,
                                   otherEntries: result.otherEntries, skipped: result.skipped, bytes: result.bytes,
                                   copies: result.copies, warnings: result.warnings.map(\.description), durationSeconds: seconds))
            } else {
                for warning in result.warnings { Output.error("warning: \(warning)") }
                Output.line("restored recovery point \(point.shortID) to \(target): \(result.files) files, \(result.directories) directories, \(result.otherEntries) other entries, \(Output.size(result.bytes)) in \(Output.duration(seconds))")
                if result.skipped > 0 { Output.line("\(result.skipped) existing entries kept (skipped)") }
                if !result.copies.isEmpty { Output.line("\(result.copies.count) entries restored as copies beside existing ones") }
            }
            if !result.warnings.isEmpty { throw ExitCode.incomplete }
        }
    }
}
