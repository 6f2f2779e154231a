/// The point-in-time view of a backup job's sources: read-only snapshots where the filesystem takes them (btrfs),
/// taken after the pre-backup command and the journal's mark, removed when the job ends; and the stale snapshots
/// a job that ended abruptly left behind, removed when the agent starts and before the next backup.
import Backup

extension AgentService {
    /// Takes the snapshots of `options.paths` and points the archiver at them. The caller releases them
    /// (`SourceSnapshots.release()`) whatever the outcome; the job's report records `pointsInTime`.
    func freezeSources(_ options: inout BackupOptions, job: JobRecord) -> SourceSnapshots {
        // The archiver's own sources: a path inside another one is not a source of its own.
        // A source already read from elsewhere (the system state's gathered folder) is not snapshotted.
        let paths = ((try? Archiver.normalizedPaths(options.paths)) ?? options.paths).filter { options.readFrom[$0] == nil }
        let snapshots = SourceSnapshots(paths: paths, policy: .auto, label: "job-\(job.id)")
        logStale(removed: snapshots.removedStale, problems: snapshots.staleProblems)
        for point in snapshots.pointsInTime { log("job \(job.id): \(point.path) is read from \(point.summary)") }
        options.readFrom.merge(snapshots.readFrom) { gathered, _ in gathered }
        options.excludes += snapshots.excludes.filter { !options.excludes.contains($0) }
        return snapshots
    }

    /// At start: the snapshots of the goal's sources that a job left behind when the agent was killed.
    func removeStaleSnapshots(paths: [String]) {
        let stale = SourceSnapshots.removeStale(for: paths)
        logStale(removed: stale.removed, problems: stale.problems)
    }

    private func logStale(removed: [String], problems: [String]) {
        for path in removed { log("removed the snapshot \(path), which a backup that ended abruptly left behind") }
        for problem in problems { log("a snapshot a backup left behind could not be removed: \(problem)") }
    }
}
