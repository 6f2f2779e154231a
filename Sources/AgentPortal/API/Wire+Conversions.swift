/// How the agent's own types become the API's wire types.
import Agent
import Foundation

extension AgentAPI.Job {
    init(_ record: JobRecord) {
        self.init(id: record.id, kind: record.kind.rawValue, itemKind: record.itemKind, itemName: record.itemName,
                  trigger: record.trigger.rawValue, state: record.state.rawValue, stateLabel: record.state.label,
                  createdAt: APITime.format(record.createdAt), startedAt: record.startedAt.map(APITime.format),
                  finishedAt: record.finishedAt.map(APITime.format), failureReason: record.failureReason)
    }
}

extension AgentAPI.Progress {
    init(_ progress: JobProgress) {
        let eta = progress.eta.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        self.init(filesScanned: progress.filesScanned, bytesScanned: progress.bytesScanned, filesDone: progress.filesDone,
                  bytesRead: progress.bytesRead, bytesNew: progress.bytesNew, bytesUploaded: progress.bytesUploaded,
                  currentPath: progress.currentPath, bytesPerSecond: progress.bytesPerSecond.isFinite ? progress.bytesPerSecond : 0,
                  estimatedTotalBytes: progress.estimatedTotalBytes, etaSeconds: eta,
                  fraction: progress.fraction.map { $0.isFinite ? min(1, max(0, $0)) : 0 })
    }
}

extension AgentAPI.Report {
    init(_ report: JobReport) {
        self.init(mode: report.mode, modeReason: report.modeReason, recoveryPoint: report.recoveryPoint, filesNew: report.filesNew,
                  filesChanged: report.filesChanged, filesUnchanged: report.filesUnchanged, filesRestored: report.filesRestored,
                  bytesProtected: report.bytesProtected, bytesNew: report.bytesNew, bytesUploaded: report.bytesUploaded,
                  bytesRestored: report.bytesRestored, durationSeconds: report.durationSeconds, warnings: report.warnings,
                  pointInTime: report.pointInTime?.map { .init(path: $0.path, method: $0.method.rawValue, reason: $0.reason) },
                  seed: report.seed.map {
                      AgentAPI.Seed(folder: $0.folder, manifest: $0.manifest, objects: $0.objects, bytes: $0.bytes,
                                    recoveryPoint: $0.recoveryPoint, nextSteps: $0.nextSteps)
                  })
    }
}

extension AgentAPI.Registration {
    init(_ info: RegistrationInfo) {
        self.init(vaultId: info.vaultId, vaultName: info.vaultName, vaultAddress: info.vaultAddress, machineId: info.machineId,
                  machineName: info.machineName, registeredAt: APITime.format(info.registeredAt))
    }
}

extension AgentAPI.Journal {
    init(_ journal: JournalOverview) {
        self.init(state: journal.running ? "running" : "unavailable", reason: journal.unavailableReason, items: journal.items.map {
            NextMode(kind: $0.kind, name: $0.name, nextMode: $0.optimized ? "optimized" : "unoptimized", reason: $0.reason,
                     changedDirectories: $0.changedDirectories)
        })
    }
}

extension AgentAPI.RecoveryPoint {
    init(_ info: RecoveryPointInfo) {
        self.init(id: info.id, itemKind: info.itemKind, itemName: info.itemName, time: APITime.format(info.time), size: info.size,
                  retainUntil: info.retainUntil.map(APITime.format))
    }
}

extension AgentAPI.Entry {
    init(_ entry: BrowseEntry) {
        self.init(path: entry.path, name: entry.name, kind: entry.kind, size: entry.size, modified: APITime.format(entry.modified))
    }
}
