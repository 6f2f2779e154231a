/// Jobs from the outside: back up now, the job list, live progress, reports, cancelling, and queuing a restore.
import Backup
import Foundation
import Repository
import VaultClient

extension AgentService {
    /// Queues a backup of every item of the goal; `retainUntil` keeps the recovery points at least until then.
    /// Items whose backup is already queued or running are left out; `busy` when every item is.
    public func backUpNow(retainUntil: Date?) throws -> [JobRecord] {
        _ = try requireCredential()
        guard let goal = try goal() else {
            throw AgentError(.invalidInput, "there is no backup goal yet; choose what to protect on the Schedule backup page first")
        }
        if let retainUntil, retainUntil <= clock() {
            throw AgentError(.invalidInput, field: "retainUntil", "the retain-until date must be in the future")
        }
        let parameters = BackupParameters(retainUntil: retainUntil.map(Timestamp.formatSeconds))
        let json = String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self)
        var queued: [JobRecord] = []
        var busy: [String] = []
        for item in goal.items {
            do {
                queued.append(try jobStore.enqueue(.backup, itemKind: item.kind, itemName: item.name, trigger: .manual, parameters: json))
            } catch let error as JobStoreError {
                guard case .busy = error else { throw AgentError(.io, error.description) }
                busy.append(error.description)
            }
        }
        if queued.isEmpty, !busy.isEmpty { throw AgentError(.busy, busy.joined(separator: "; ")) }
        worker.wake()
        return queued
    }

    /// The newest jobs first.
    public func jobs(limit: Int, offset: Int) throws -> [JobRecord] {
        try Self.mapping { try jobStore.recent(limit: max(1, min(limit, 1000)), offset: max(0, offset)) }
    }

    public func job(_ id: Int64) throws -> JobRecord {
        try Self.mapping { try jobStore.job(id) }
    }

    /// Job `id` as soon as it has finished, or as it stands after `seconds`: what `haven backup --wait` follows, so it
    /// learns of the end when it happens instead of at its next look.
    public func waitForEnd(of id: Int64, seconds: Double) throws -> JobRecord {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let ended = worker.endedCount
            let record = try job(id)
            if record.state.isFinished || worker.isStopping || Date() >= deadline { return record }
            // A job may also end without the worker (cancelled while queued, or by a restart): look again each second.
            worker.waitForJobEnd(after: ended, until: min(deadline, Date().addingTimeInterval(1)))
        }
    }

    /// The live figures of a running job; nil when it is not running.
    public func progress(of id: Int64) -> JobProgress? {
        worker.progress(of: id, now: clock())
    }

    /// The report of a finished job; nil while it runs or when it stopped before doing anything.
    public func report(of id: Int64) throws -> JobReport? {
        try Self.mapping { try jobStore.report(of: id) }
    }

    /// Cancels a queued job at once, or asks a running one to stop at its next file: a cancelled backup commits
    /// nothing (the vault stays as it was; what it uploaded is reused by the next one).
    public func cancel(_ id: Int64) throws {
        let job = try self.job(id)
        guard !job.state.isFinished else {
            throw AgentError(.invalidInput, "job \(id) has already finished (\(job.state.label.lowercased())); there is nothing to cancel")
        }
        do { try jobStore.apply(.requestCancel, to: id) } catch let error as JobTransitionError {
            throw AgentError(.invalidInput, error.description)
        }
        worker.cancel(id)
        worker.jobEnded()
    }

    /// Queues a restore. For another machine the passphrase opens its repository now (a wrong one is refused at once)
    /// and the opened repository waits in memory for the worker: the passphrase is never stored.
    public func restore(_ request: RestoreRequest) throws -> JobRecord {
        let credential = try requireCredential()
        guard ConflictPolicy(rawValue: request.conflict) != nil else {
            throw AgentError(.invalidInput, field: "conflict", "choose what happens when a file exists: copy, overwrite or skip")
        }
        for path in request.paths where !path.hasPrefix("/") || path.utf8.contains(0) {
            throw AgentError(.invalidInput, field: "paths", "give absolute paths inside the recovery point; got \(String(reflecting: path))")
        }
        if case .alternate(let folder) = request.target, !folder.hasPrefix("/") || folder.utf8.contains(0) {
            throw AgentError(.invalidInput, field: "target", "the alternate location must be an absolute folder such as /srv/restored")
        }
        let machine = request.sourceMachine.flatMap { $0 == credential.machineId || $0.isEmpty ? nil : $0 }
        let repository = try repository(machine: machine, passphrase: request.passphrase, credential: credential)
        let point = try Self.mapping { try repository.recoveryPoint(id: request.recoveryPoint) }
        let item = try itemOf(point: point.id, machine: machine, credential: credential)
        try Self.refuseSystemStateOverRunningSystem(itemKind: item.kind, target: request.target)
        let sourceRoot = try request.volume ? volumeRoot(of: item, paths: request.paths) : nil
        let parameters = RestoreParameters(
            sourceMachine: machine, recoveryPoint: point.id, paths: request.paths, target: request.target,
            conflict: request.conflict, restorePermissions: request.restorePermissions, sourceRoot: sourceRoot)
        let json = String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self)
        let job = try Self.mapping {
            try jobStore.enqueue(.restore, itemKind: item.kind, itemName: item.name, trigger: .manual, parameters: json)
        }
        if machine != nil { worker.hold(repository, for: job.id) }
        worker.wake()
        return job
    }

    /// The item a recovery point belongs to, from the catalog (this machine) or the vault's listing (another one).
    private func itemOf(point id: String, machine: String?, credential: MachineCredential) throws -> (kind: String, name: String) {
        if machine == nil, let known = try catalog.points().first(where: { $0.id == id }) { return (known.itemKind, known.itemName) }
        let listed = try Self.mapping { try session(credential).recoveryPoints(machineId: machine) }
        guard let summary = listed.first(where: { $0.id == id }) else {
            throw AgentError(.notFound, field: "recoveryPoint", "recovery point \(id.prefix(8)) is not a live recovery point of that machine")
        }
        return (summary.item.kind, summary.item.name)
    }
}
