import AgentPortal
import ArgumentParser

/// `haven jobs`: the agent's recent jobs, one job's details, or cancelling one.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "List the local agent's jobs, show or cancel one.")

    @OptionGroup var agent: AgentClientOptions

    @Option(name: .long, help: "Show this job with its progress and report.")
    var job: Int64?

    @Option(name: .long, help: ArgumentHelp("Cancel this job.", valueName: "job"))
    var cancel: Int64?

    @Option(name: .long, help: "How many jobs to list, newest first (1 to 500).")
    var limit = 20

    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false

    func validate() throws {
        guard (1...500).contains(limit) else { throw ValidationError("--limit must be between 1 and 500") }
        if job != nil && cancel != nil { throw ValidationError("give either --job or --cancel") }
        if let id = job ?? cancel, id <= 0 { throw ValidationError("a job id is a positive whole number") }
    }

    func run() throws {
        try runCommand {
            let client = try agent.client()
            if let cancel {
                let detail: AgentAPI.JobDetail = try client.send("POST", "jobs/\(cancel)/cancel", AgentClient.EmptyBody())
                if json { Output.json(detail) } else { Output.line("job \(cancel): \(detail.job.stateLabel.lowercased())") }
            } else if let job {
                let detail: AgentAPI.JobDetail = try client.get("jobs/\(job)")
                if json { Output.json(detail) } else { AgentClientJobs.describe(detail).forEach(Output.line) }
            } else {
                let list: AgentAPI.JobList = try client.get("jobs?limit=\(limit)")
                if json {
                    Output.json(list)
                    return
                }
                guard !list.jobs.isEmpty else {
                    Output.line("no jobs yet; `haven backup` backs up now")
                    return
                }
                Output.line("ID      Kind     State                     Created               Item")
                for job in list.jobs {
                    let created = String(job.createdAt.prefix(19)).replacingOccurrences(of: "T", with: " ")
                    Output.line("\(String(job.id).padding(6))  \(job.kind.padding(7))  \(job.stateLabel.padding(24))  \(created)   \(job.itemName)")
                }
            }
        }
    }
}
