/// Reports and parameters of jobs: stored as JSON beside the job when it ends, read back for the job's details.
import Foundation
import SQLiteDB

extension JobStore {
    /// Stores the report of job `id` and completes it in one transaction: a reader never sees the report of a job
    /// still running (the job page would show both, then reload under the reader's feet).
    func complete(_ id: Int64, with report: JobReport) throws {
        let text = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        try database.write { db in
            try db.execute("UPDATE jobs SET report = ? WHERE id = ?", [.text(text), .integer(id)])
            _ = try transition(id, .complete(warnings: report.warnings.count), in: db)
        }
    }

    /// The report of job `id`; nil while it runs or when it ended before doing anything.
    func report(of id: Int64) throws -> JobReport? {
        guard let row = try database.query("SELECT report FROM jobs WHERE id = ?", [.integer(id)]).first else {
            throw JobStoreError.notFound(id)
        }
        guard let text = try row.get("report", as: String?.self) else { return nil }
        do { return try JSONDecoder().decode(JobReport.self, from: Data(text.utf8)) } catch {
            throw JobStoreError.corrupt("the report of job \(id) cannot be read: \(error)")
        }
    }

    /// The newest finished backup job, for the overview.
    func lastFinishedBackup() throws -> JobRecord? {
        try database.query(
            "SELECT * FROM jobs WHERE kind = 'backup' AND state NOT IN ('queued', 'running', 'cancelling') ORDER BY id DESC LIMIT 1")
            .first.map(Self.record)
    }

    /// The newest finished backup of each item, for the overview's failed-job alerts.
    func lastFinishedBackupPerItem() throws -> [JobRecord] {
        try database.query("""
            SELECT * FROM jobs WHERE id IN (SELECT MAX(id) FROM jobs WHERE kind = 'backup'
              AND state NOT IN ('queued', 'running', 'cancelling') GROUP BY item_kind, item_name) ORDER BY id
            """).map(Self.record)
    }
}

/// The inputs of a backup job, as JSON in the job's parameters (`JobRecord.parameters`).
public struct BackupParameters: Codable, Sendable {
    /// RFC 3339; the vault keeps the point at least until then.
    public var retainUntil: String?
}

/// The inputs of a restore job, as JSON in the job's parameters. The source machine's passphrase is not among
/// them: it stays in memory only.
public struct RestoreParameters: Codable, Sendable {
    /// The other machine whose point is restored; nil for this one.
    public var sourceMachine: String?
    public var recoveryPoint: String
    /// Absolute paths inside the point; empty means everything.
    public var paths: [String]
    public var target: RestoreRequest.Target
    /// "copy", "overwrite" or "skip".
    public var conflict: String
    public var restorePermissions: Bool
    /// For a whole volume: its mount point in the point, restored as the target itself (see `RestoreOptions.sourceRoot`).
    public var sourceRoot: String?
}
