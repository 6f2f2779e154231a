import Agent
import ArgumentParser
import Backup
import Foundation
import ObjectStore
import Repository

/// `haven backup`: a new recovery point of the given paths; files unchanged since the last one are not read again.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Back up files and directories into a new recovery point.")

    @OptionGroup var global: GlobalOptions

    @OptionGroup var agent: AgentClientOptions

    @Flag(name: .long, help: "Without --repo/--vault: wait for the agent's backup to end and exit with its result.")
    var wait = false

    @Option(name: .long, help: "Worker threads (default: one per processor).")
    var threads: Int?

    @Option(name: .long, help: "Threads listing directories in a full scan, the walking one included; 1 walks serially (default: one per processor, at most 4).")
    var walkThreads: Int?

    @Option(name: .long, help: "Leave out paths matching a shell pattern (a name anywhere, or an absolute path with /). Repeatable.")
    var exclude: [String] = []

    @Flag(name: .long, help: "Do not cross into other file systems.")
    var oneFileSystem = false

    @Option(name: .long, help: "A tag for the recovery point. Repeatable.")
    var tag: [String] = []

    @Flag(name: .long, help: "Read every file again, ignoring the previous recovery point.")
    var force = false

    @Option(name: .long, help: "With --vault: the backup item the recovery point belongs to.")
    var item = BackupItem.filesAndFolders.name

    @Option(name: .long, help: "With --vault: the item's kind: files, volume or system-state.")
    var itemKind = BackupItem.filesAndFolders.kind

    @Option(name: .long, help: "The recovery point to compare with (id, prefix or latest), instead of the newest one of the same paths.")
    var parent: String?

    @Option(name: .long, help: "A journal kept by `haven journal watch`: list only the directories it recorded (optimized mode).")
    var journal: String?

    @Option(name: .long, help: "With --vault or the agent: keep the recovery point at least until then, whatever the retention policy (e.g. 2027-01-01T00:00:00Z).")
    var retainUntil: String?

    @Option(name: .long, help: "auto: read each source on btrfs from a read-only snapshot taken at the start (removed at the end); off: read every source live.")
    var snapshot = SnapshotPolicy.auto

    @Argument(help: "The files and directories to back up (none without --repo/--vault: the agent backs up its backup goal).")
    var paths: [String] = []

    func validate() throws {
        if let threads, !(1...64).contains(threads) { throw ValidationError("--threads must be between 1 and 64") }
        if let walkThreads, !(1...64).contains(walkThreads) { throw ValidationError("--walk-threads must be between 1 and 64") }
        guard BackupItem.kinds.contains(itemKind) else { throw ValidationError("--item-kind must be files, volume or system-state") }
        guard (1...256).contains(item.utf8.count) else { throw ValidationError("--item must be 1 to 256 bytes") }
        if let retainUntil, ISO8601DateFormatter().date(from: retainUntil) == nil || !retainUntil.hasSuffix("Z") {
            throw ValidationError("--retain-until must be a UTC time like 2027-01-01T00:00:00Z")
        }
        if global.machine != nil { throw ValidationError("a backup writes this machine's own repository; leave out --machine") }
        if global.usesAgent {
            let given = repositoryOnlyOptions
            guard given.isEmpty else {
                throw ValidationError("without --repo or --vault the agent backs up its backup goal; \(given.joined(separator: ", ")) "
                    + "apply only to a backup into --repo or --vault")
            }
        } else {
            guard !paths.isEmpty else { throw ValidationError("give the files and directories to back up") }
            if wait { throw ValidationError("--wait follows the agent's backup; a backup into --repo or --vault always runs to its end") }
        }
    }

    func run() throws {
        if global.usesAgent { return try runThroughAgent() }
        try runCommand {
            let started = SystemClock.monotonic()
            let journalDirectory = journal.map(JournalDirectory.init)
            // Taken before anything is read: what changes while this backup runs is the next one's to list. The
            // running watcher hands it over while the repository opens.
            let handOver = journalDirectory.map { directory in Prefetch(named: "haven-journal-hand-over") { try directory.take() } }
            let (repository, treeLinksFile) = try global.openRepositoryForBackup()
            defer { global.release(repository) }
            let absolute = paths.map { path in
                path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            }
            let identity = SystemClock.identity()
            var options = BackupOptions(paths: absolute, identity: identity, threads: threads ?? SystemClock.processors)
            options.walkThreads = walkThreads ?? options.walkThreads
            options.excludes = exclude
            options.oneFileSystem = oneFileSystem
            options.tags = tag
            options.item = BackupItem(kind: itemKind, name: item)
            options.retainUntil = retainUntil
            let normalized = try Archiver.normalizedPaths(absolute)
            if let parent {
                options.parent = try repository.resolveRecoveryPoint(parent)
            } else if !force {
                options.parent = parentCandidate(in: try repository.recoveryPoints(), hostname: identity.hostname, paths: normalized)
            }
            var journalID: String?
            var journalReason: String?
            let fingerprint = BackupModeRules.fingerprint(paths: normalized, excludes: exclude, oneFileSystem: oneFileSystem)
            if let journalDirectory, let handOver {
                let taken = try handOver.value()
                journalID = taken.watcherID
                let decision = Self.decide(taken: taken, state: journalDirectory.state(), fingerprint: fingerprint,
                                           parent: options.parent?.id)
                options.changedDirectories = decision.changedDirectories
                options.multiLinkDirectories = decision.multiLinkDirectories
                journalReason = decision.reason
            }
            let snapshots = freezeSources(&options)
            defer { snapshots.release() }
            let result: BackupResult
            do {
                result = try Archiver(repository: repository, options: options).run { SystemClock.monotonic() - started }
                for problem in snapshots.release() { Output.error("warning: \(problem)") }
            } catch {
                journalDirectory?.forgetState()
                throw error
            }
            if let journalDirectory {
                if let journalID, journalDirectory.isWatched(), journalDirectory.journalID() == journalID {
                    try journalDirectory.commit(.init(journalID: journalID, point: result.recoveryPoint.id,
                                                      multiLinkDirectories: result.multiLinkDirectories.sorted(), fingerprint: fingerprint))
                } else {
                    journalDirectory.forgetState()
                }
            }
            if let treeLinksFile {
                // The point is committed; a cache that cannot be kept only costs the next run its tree reads.
                do { try repository.saveTreeLinks(to: treeLinksFile) } catch {
                    Output.error("warning: the cache folder could not be written (\(error)); the next backup reads every tree again")
                }
            }
            var reported = result
            if case .unoptimized(let reason) = result.mode, reason.isEmpty, let journalReason { reported.mode = .unoptimized(reason: journalReason) }
            report(reported, pointsInTime: snapshots.pointsInTime)
            if !result.warnings.isEmpty { throw ExitCode.incomplete }
        }
    }

    private func modeReason(_ mode: BackupMode) -> String? {
        if case .unoptimized(let reason) = mode, !reason.isEmpty { return reason }
        return nil
    }

    private func report(_ result: BackupResult, pointsInTime: [PointInTime]) {
        let summary = result.recoveryPoint.point.summary
        if global.json {
            struct Report: Encodable {
                let id: String
                let parent: String?
                let summary: RecoveryPoint.Summary
                let mode: String
                let modeReason: String?
                let pointInTime: [PointInTime]
                let warnings: [String]
            }
            Output.json(Report(id: result.recoveryPoint.id, parent: result.recoveryPoint.point.parent, summary: summary,
                               mode: result.mode == .optimized ? "optimized" : "unoptimized", modeReason: modeReason(result.mode),
                               pointInTime: pointsInTime, warnings: result.warnings.map(\.description)))
            return
        }
        for warning in result.warnings { Output.error("warning: \(warning)") }
        if let parent = result.recoveryPoint.point.parent { Output.line("compared with recovery point \(parent.prefix(8))") }
        if result.mode == .optimized { Output.line("optimized: only the directories the journal recorded were listed") }
        if let reason = modeReason(result.mode) { Output.line("unoptimized: \(reason)") }
        for line in Self.pointInTimeLines(pointsInTime) { Output.line(line) }
        Output.line("files: \(summary.filesNew) new, \(summary.filesChanged) changed, \(summary.filesUnchanged) unchanged")
        Output.line("directories: \(summary.directories), other entries: \(summary.otherEntries)")
        Output.line("added: \(Output.size(summary.bytesAdded)) in \(summary.blobsAdded) blobs, stored \(Output.size(summary.bytesStored))")
        Output.line("processed \(summary.files) files, \(Output.size(summary.bytes)) in \(Output.duration(summary.durationSeconds))")
        if !result.warnings.isEmpty { Output.line("\(result.warnings.count) warning(s): some entries were not backed up") }
        Output.line("recovery point \(result.recoveryPoint.id) saved")
    }
}
