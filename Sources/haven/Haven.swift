import ArgumentParser

/// The `haven` command: the composition root. Each subcommand wires concrete stores and services together.
@main
struct Haven: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "haven",
        abstract: "Backup for Linux machines: deduplicated, compressed, encrypted recovery points.",
        discussion: """
            The passphrase comes from --password-file FILE or the HAVEN_PASSWORD environment variable.
            Every command takes --json for machine-readable output.
            """,
        subcommands: [
            RepoCommand.self, BackupCommand.self, RecoveryPointsCommand.self, LsCommand.self, FindCommand.self,
            DiffCommand.self, RestoreCommand.self, CheckCommand.self, DemoCommand.self, VaultCommand.self, AgentCommand.self,
            StatusCommand.self, JobsCommand.self, PolicyCommand.self, JournalCommand.self, SystemStateCommand.self,
        ])

    static func main() {
        MemoryTuning.apply()
        main(nil)
    }
}
