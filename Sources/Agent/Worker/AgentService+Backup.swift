/// Running a backup job: the item's sources, its parent recovery point in the vault, the mode and why, the archiver,
/// and the catalog afterwards.
import Backup
import FileIO
import Foundation
import ObjectStore
import Repository
import VaultClient

extension AgentService {
    static let noJournalReason = "no change journal yet: every file's metadata was compared with the previous recovery point"
    static let firstBackupReason = "first backup of this item: every file was read"

    func runBackup(_ job: JobRecord, _ running: RunningJob) throws -> JobReport {
        let credential = try requireCredential()
        guard job.itemKind != "system-state" else {
            throw AgentError(.invalidInput, "system state backup is not available yet in this version of Haven; the goal's files, "
                + "folders and volumes are backed up by their own jobs")
        }
        guard let goal = try goal() else {
            throw AgentError(.invalidInput, "there is no backup goal any more; choose what to protect on Schedule backup")
        }
        let paths = job.itemKind == "volume" ? [job.itemName] : goal.paths
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
        let repository = try Self.mapping { try Repository.open(store: store, masterKey: key) }
        let item = BackupItem(kind: job.itemKind, name: job.itemName)
        let parent = try parentPoint(of: item, session: session, repository: repository)
        let reason = try goals.unoptimizedReason(kind: item.kind, name: item.name)
            ?? (parent == nil ? Self.firstBackupReason : Self.noJournalReason)
        running.setEstimate(parent?.point.summary.bytes)

        var options = BackupOptions(paths: paths, identity: identity(), threads: configuration.workerThreads)
        options.excludes = goal.excludePatterns
        options.oneFileSystem = job.itemKind == "volume"
        options.parent = parent
        options.item = item
        options.retainUntil = parameters.retainUntil
        options.progress = running.backup
        let started = clock()
        let result = try Archiver(repository: repository, options: options, stagingDirectory: cache)
            .run(elapsed: { self.clock().timeIntervalSince(started) })

        repositories.remove(RepositoryCache.own)
        try goals.clearUnoptimizedReason(kind: item.kind, name: item.name)
        if let listed = try? session.recoveryPoints(item: item) {
            try catalog.refresh(kind: item.kind, name: item.name, from: listed,
                                made: (result.recoveryPoint.id, Timestamp.parse(result.recoveryPoint.point.time) ?? clock()))
        }
        let summary = result.recoveryPoint.point.summary
        return JobReport(
            mode: "unoptimized", modeReason: reason, recoveryPoint: result.recoveryPoint.id, filesNew: summary.filesNew,
            filesChanged: summary.filesChanged, filesUnchanged: summary.filesUnchanged, bytesProtected: summary.bytes,
            bytesNew: result.statistics.bytesAdded, bytesUploaded: store.statistics.bytesSent,
            warnings: result.warnings.map(\.description))
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
