import ArgumentParser
import Backup

extension SnapshotPolicy: ExpressibleByArgument {}

/// `haven backup --snapshot`: the point-in-time view of a backup into --repo or --vault.
extension BackupCommand {
    /// Takes the sources' snapshots (policy `snapshot`) and points `options` at them: read from the snapshots, their
    /// folders left out. Says which stale snapshots of earlier backups were removed.
    func freezeSources(_ options: inout BackupOptions) -> SourceSnapshots {
        // The archiver's own sources: a path inside another one is not a source of its own.
        let paths = (try? Archiver.normalizedPaths(options.paths)) ?? options.paths
        let snapshots = SourceSnapshots(paths: paths, policy: snapshot, label: "backup")
        for removed in snapshots.removedStale { Output.error("removed a snapshot an earlier backup left behind: \(removed)") }
        for problem in snapshots.staleProblems { Output.error("warning: a snapshot an earlier backup left behind could not be removed: \(problem)") }
        options.readFrom = snapshots.readFrom
        options.excludes += snapshots.excludes.filter { !options.excludes.contains($0) }
        return snapshots
    }

    /// "point in time: /srv: btrfs snapshot" lines.
    static func pointInTimeLines(_ points: [PointInTime]) -> [String] {
        points.map { "point in time: \($0.path): \($0.summary)" }
    }
}
