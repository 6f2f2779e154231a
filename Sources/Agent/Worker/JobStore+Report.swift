/// Reports and parameters of jobs: stored as JSON beside the job when it ends, read back for the job's details.
import Foundation
import SQLiteDB

extension JobStore {
    /// Stores the report of job `id`.
    func saveReport(_ report: JobReport, for id: Int64) throws {
        let text = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        try database.execute("UPDATE jobs SET report = ? WHERE id = ?", [.text(text), .integer(id)])
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

/// The inputs of a backup job, as JSON in the job's parameters.
struct BackupParameters: Codable, Sendable {
    /// RFC 3339; the vault keeps the point at least until then.
    var retainUntil: String?
}

/// The inputs of a restore job. The source machine's passphrase is not among them: it stays in memory only.
struct RestoreParameters: Codable, Sendable {
    var sourceMachine: String?
    var recoveryPoint: String
    var paths: [String]
    var target: RestoreRequest.Target
    var conflict: String
    var restorePermissions: Bool
}
