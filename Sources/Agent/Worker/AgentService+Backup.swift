/// Running a backup job: the item's sources, its parent recovery point in the vault, the mode and why, the archiver,
/// and the catalog afterwards.
import Backup
import FileIO
import Foundation
import ObjectStore
import Repository
import VaultClient

extension AgentService {
    static let firstBackupReason = "first backup of this item: every file was read"

    func runBackup(_ job: JobRecord, _ running: RunningJob) throws -> JobReport {
        let credential = try requireCredential()
        guard let goal = try goal() else {
            throw AgentError(.invalidInput, "there is no backup goal any more; choose what to protect on Schedule backup")
        }
        // The goal's pre-backup command runs before anything is read or collected (a database dump it writes, or an
        // application it quiesces, is part of this backup, the system state included). From then on the post-backup
        // command runs however the job ends: with the outcome the archiver's end sets, else "failed".
        var commands: [CommandRun] = []
        let hookTimeout = TimeInterval(goal.commandTimeoutSeconds ?? 600)
        let hookEnvironment = ["HAVEN_ITEM_KIND": job.itemKind, "HAVEN_ITEM_NAME": job.itemName, "HAVEN_JOB_ID": "\(job.id)"]
        func runPostCommand(_ outcome: String) {
            guard let post = goal.postCommand else { return }
            let run = HookCommand.run(post, phase: "post", timeout: hookTimeout,
                                      environment: hookEnvironment.merging(["HAVEN_PHASE": "post", "HAVEN_RESULT": outcome]) { $1 })
            log("job \(job.id): post-backup command \(run.succeeded ? "succeeded" : Self.describeFailure(run, timeout: hookTimeout))")
            commands.append(run)
        }
        if let pre = goal.preCommand {
            let run = HookCommand.run(pre, phase: "pre", timeout: hookTimeout,
                                      environment: hookEnvironment.merging(["HAVEN_PHASE": "pre"]) { $1 })
            commands.append(run)
            guard run.succeeded else {
                runPostCommand("failed")
                let tail = run.output.trimmingCharacters(in: .whitespacesAndNewlines).suffix(400)
                throw AgentError(.invalidInput, field: "preCommand", "the pre-backup command \(Self.describeFailure(run, timeout: hookTimeout)), "
                    + "so the backup did not run" + (tail.isEmpty ? "" : "; its output ends: \(tail)"))
            }
        }
        var postOutcome: String? = "failed"
        defer { if let postOutcome { runPostCommand(postOutcome) } }

        let systemState = job.itemKind == "system-state" ? try collectSystemState() : nil
        let paths = systemState?.archivePaths ?? (job.itemKind == "volume" ? [job.itemName] : goal.paths)
        if job.itemKind == "volume" { try requireMounted(volume: job.itemName) }
        guard !paths.isEmpty else { throw AgentError(.invalidInput, "the backup goal names no files or folders any more") }
        let parameters = try JSONDecoder().decode(BackupParameters.self, from: Data(job.parameters.utf8))
        let cache = try settings().cacheDirectory
        do { try FileIO.makeDirectories(cache, mode: 0o700) } catch {
            throw AgentError(.io, "cannot create the cache folder \(cache): \(error); choose another one on the Settings page")
        }
        let session = try session(credential)
        let store = session.objectStore()
        defer { try? store.close() }
        guard let key = try state.masterKey() else {
            throw AgentError(.notRegistered, "the repository's key is missing; register the machine again (take over) with its passphrase")
        }
        let opening = clock()
        let repository = try Self.mapping {
            try Repository.open(store: store, masterKey: key, treeLinks: treeLinks, indexCache: indexCache)
        }
        let indexLoad = indexCache.lastLoad
        log("job \(job.id): repository opened in \(Int(clock().timeIntervalSince(opening) * 1000)) ms; index: \(indexLoad.listed) "
            + "object(s) listed, \(indexLoad.read) read, \(indexLoad.dropped) dropped" + (indexLoad.fromScratch ? " (read again from scratch)" : ""))
        let item = BackupItem(kind: job.itemKind, name: job.itemName)
        let parent = try parentPoint(of: item, session: session, repository: repository)
        running.setEstimate(parent?.point.summary.bytes)
        // An offline initial backup writes to the seeding disk instead of the vault (AgentService+Seed.swift).
        let seed = try seedingStore(goal: goal, item: item, parent: parent, credential: credential, vault: store)
        let writer = try seed.map { seed in try Self.mapping { try Repository.open(store: seed, masterKey: key) } } ?? repository

        var options = BackupOptions(paths: paths, identity: identity(), threads: configuration.workerThreads)
        options.excludes = goal.excludePatterns
        options.oneFileSystem = job.itemKind == "volume"
        options.parent = parent
        options.item = item
        options.retainUntil = parameters.retainUntil
        options.progress = running.backup

        // The mode, as MARS decides it: the journal's mark is taken before anything is read, so a change made while
        // this backup runs is the next one's to see.
        let fingerprint = BackupModeRules.fingerprint(paths: paths, excludes: options.excludes, oneFileSystem: options.oneFileSystem)
        let previousMark = try goals.journalMark(kind: item.kind, name: item.name)
        let start = journal.mark()
        let decision = parent == nil
            ? ModeDecision.unoptimized(reason: Self.firstBackupReason)
            : BackupModeRules.decide(mark: previousMark, journal: journal.status(), goalFingerprint: fingerprint,
                                     pendingReason: try goals.unoptimizedReason(kind: item.kind, name: item.name), parent: parent?.id)
        var reason = ""
        switch decision {
        case .optimized(let since):
            options.changedDirectories = try journal.changedDirectories(since: since)
            options.multiLinkDirectories = try goals.multiLinkDirectories(kind: item.kind, name: item.name)
        case .unoptimized(let why):
            reason = why
        }
        if let systemState { prepareSystemStateBackup(systemState, &options, firstBackup: parent == nil, reason: &reason) }
        func record(_ outcome: ItemJournalMark.Outcome, point: String?, multiLink: Set<String>?) {
            let mark = ItemJournalMark(journalID: outcome == .succeeded ? start.id : previousMark?.journalID,
                                       sequence: outcome == .succeeded ? start.sequence : previousMark?.sequence ?? 0,
                                       outcome: outcome, goalFingerprint: fingerprint, recoveryPoint: point ?? previousMark?.recoveryPoint)
            try? goals.setJournalMark(mark, multiLinkDirectories: multiLink, kind: item.kind, name: item.name)
        }
        let snapshots = freezeSources(&options, job: job)
        defer { snapshots.release() }
        let started = clock()
        let result: BackupResult
        do {
            result = try Archiver(repository: writer, options: options, stagingDirectory: cache)
                .run(elapsed: { self.clock().timeIntervalSince(started) })
        } catch {
            record(error is BackupCancelled ? .cancelled : .failed, point: nil, multiLink: nil)
            postOutcome = error is BackupCancelled ? "cancelled" : "failed"
            throw error
        }
        let snapshotWarnings = snapshots.release()
        postOutcome = nil
        runPostCommand("succeeded")
        let commandWarnings = commands.filter { $0.phase == "post" && !$0.succeeded }.map {
            "post-backup command: \(Self.describeFailure($0, timeout: hookTimeout))"
        }
        record(.succeeded, point: result.recoveryPoint.id, multiLink: result.multiLinkDirectories)
        if let id = start.id, let oldest = try? goals.oldestJournalSequence(journal: id) { try? journal.prune(keepingAfter: oldest) }
        if case .unoptimized(let why) = result.mode, !why.isEmpty { reason = why }
        let mode = result.mode == .optimized ? "optimized" : "unoptimized"

        let seedReport = try seed.map { try finishSeed($0, credential: credential) }
        repositories.remove(RepositoryCache.own)
        try goals.clearUnoptimizedReason(kind: item.kind, name: item.name)
        if seedReport == nil, let listed = try? session.recoveryPoints(item: item) {
            try catalog.refresh(kind: item.kind, name: item.name, from: listed,
                                made: (result.recoveryPoint.id, Timestamp.parse(result.recoveryPoint.point.time) ?? clock()))
        }
        let summary = result.recoveryPoint.point.summary
        var report = JobReport(
            mode: seedReport == nil ? mode : "offline seed", modeReason: mode == "optimized" ? nil : reason, recoveryPoint: result.recoveryPoint.id, filesNew: summary.filesNew,
            filesChanged: summary.filesChanged, filesUnchanged: summary.filesUnchanged, bytesProtected: summary.bytes,
            bytesNew: result.statistics.bytesAdded, bytesUploaded: store.statistics.bytesSent,
            warnings: result.warnings.map(\.description) + commandWarnings + snapshotWarnings + (systemState?.warnings ?? []), commands: commands.isEmpty ? nil : commands,
            pointInTime: snapshots.pointsInTime)
        report.seed = seedReport
        return report
    }

    /// How a command failed, in words.
    static func describeFailure(_ run: CommandRun, timeout: TimeInterval) -> String {
        if run.timedOut { return "did not finish within \(Int(timeout)) seconds and was stopped" }
        if let status = run.exitStatus { return "exited with status \(status)" }
        return "was killed by a signal"
    }

    /// The newest live recovery point of the item in the vault that this repository can read: what the backup
    /// compares with, so a machine whose state was lost still backs up incrementally.
    private func parentPoint(of item: BackupItem, session: VaultSession, repository: Repository) throws -> StoredRecoveryPoint? {
        let listed = try Self.mapping { try session.recoveryPoints(item: item) }
        // The vault lists whole seconds, newest first: of the points of the newest second it can read, the latest
        // by the point's own (exact) time.
        var candidates: [StoredRecoveryPoint] = []
        var second: String?
        for summary in listed {
            if let second, summary.time != second { break }
            if let point = try? repository.recoveryPoint(id: summary.id) {
                candidates.append(point)
                second = summary.time
            }
        }
        return candidates.max { (Timestamp.parse($0.point.time) ?? .distantPast) < (Timestamp.parse($1.point.time) ?? .distantPast) }
    }
}
