/// AgentClientBackup owns `haven backup` without --repo/--vault: back up now through the agent, optionally waiting.
import AgentPortal
import ArgumentParser
import ObjectStore

extension BackupCommand {
    /// The repository-only options given, which the agent's backup (of its backup goal) cannot honour.
    var repositoryOnlyOptions: [String] {
        var given: [String] = []
        if !paths.isEmpty { given.append("paths") }
        if threads != nil { given.append("--threads") }
        if walkThreads != nil { given.append("--walk-threads") }
        if !exclude.isEmpty { given.append("--exclude") }
        if oneFileSystem { given.append("--one-file-system") }
        if !tag.isEmpty { given.append("--tag") }
        if force { given.append("--force") }
        if journal != nil { given.append("--journal") }
        if parent != nil { given.append("--parent") }
        if snapshot != .auto { given.append("--snapshot") }
        if item != BackupItem.filesAndFolders.name || itemKind != BackupItem.filesAndFolders.kind { given.append("--item/--item-kind") }
        return given
    }

    /// Back up now: one job per item of the agent's backup goal.
    func runThroughAgent() throws {
        try runCommand {
            let client = try agent.client()
            let list: AgentAPI.JobList = try client.send("POST", "backups", AgentAPI.BackupRequest(retainUntil: retainUntil))
            guard wait else {
                if global.json { Output.json(list) } else {
                    for job in list.jobs { Output.line("job \(job.id): backup of \(job.itemName) \(job.stateLabel.lowercased())") }
                    Output.line("follow with `haven jobs --job ID`, or run `haven backup --wait`")
                }
                return
            }
            try AgentClientJobs.finish(try AgentClientJobs.follow(client, ids: list.jobs.map(\.id), quiet: global.json), json: global.json)
        }
    }
}
