/// Running a restore job: the repository (this machine's, or another one's held in memory), the size to restore for
/// the progress bar, and the restorer with the chosen target and conflict policy.
import Backup
import Foundation
import Repository

extension AgentService {
    func runRestore(_ job: JobRecord, _ running: RunningJob) throws -> JobReport {
        let parameters = try JSONDecoder().decode(RestoreParameters.self, from: Data(job.parameters.utf8))
        let credential = try requireCredential()
        let repository: Repository
        if parameters.sourceMachine != nil {
            guard let held = worker.takeHeld(job.id) else {
                throw AgentError(.invalidInput, "the other machine's passphrase is kept in memory only, and the agent restarted since "
                    + "this restore was queued: start the restore again")
            }
            repository = held
        } else {
            repository = try ownRepository(credential, session: try session(credential))
        }
        let point = try Self.mapping { try repository.recoveryPoint(id: parameters.recoveryPoint) }
        let scope = parameters.paths.isEmpty ? parameters.sourceRoot.map { [$0] } ?? [] : parameters.paths
        running.setEstimate(try bytesToRestore(point, paths: scope, repository: repository))
        let target: String = switch parameters.target {
        case .original: parameters.sourceRoot ?? "/"
        case .alternate(let folder): folder
        }
        var options = RestoreOptions(target: target, copyStamp: Timestamp.copyStamp(clock(), in: configuration.timeZone),
                                     threads: configuration.workerThreads)
        options.includes = parameters.paths
        options.sourceRoot = parameters.sourceRoot
        let targetWarning = parameters.sourceRoot != nil && parameters.target == .original ? unmountedTargetWarning(target) : nil
        options.conflict = ConflictPolicy(rawValue: parameters.conflict) ?? .copy
        options.restorePermissions = parameters.restorePermissions
        options.progress = running.restore
        let result = try Restorer(repository: repository, point: point, options: options).run()
        return JobReport(recoveryPoint: point.id, filesRestored: result.files, filesSkipped: result.skipped, copies: result.copies,
                         bytesRestored: result.bytes, warnings: (targetWarning.map { [$0] } ?? []) + result.warnings.map(\.description))
    }

    /// The size of the regular files under `paths` (everything when empty).
    private func bytesToRestore(_ point: StoredRecoveryPoint, paths: [String], repository: Repository) throws -> UInt64 {
        let walker = TreeWalker(repository: repository)
        var total: UInt64 = 0
        for path in paths.isEmpty ? ["/"] : paths {
            do {
                try walker.list(point, under: path) { entry in
                    if entry.node.kind == .regular { total += entry.node.size }
                }
            } catch let error as RepositoryError where error.code == .invalidArgument {
                throw AgentError(.notFound, field: "paths", error.message)
            }
        }
        return total
    }
}
