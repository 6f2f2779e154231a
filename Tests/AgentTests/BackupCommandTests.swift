import Agent
import Foundation
import Testing

@Suite("Pre- and post-backup commands", .serialized)
struct BackupCommandTests {
    func goal(_ source: SourceTree, pre: String?, post: String?, timeout: Int? = nil) throws -> BackupGoal {
        let schedule = try BackupSchedule(frequency: .daily, times: [TimeOfDay(hour: 3, minute: 0)!], timeZoneIdentifier: "UTC")
        var goal = try BackupGoal(paths: [source.root], schedule: schedule)
        goal.preCommand = pre
        goal.postCommand = post
        goal.commandTimeoutSeconds = timeout
        return goal
    }

    @Test("the pre-command's output is part of the backup, both commands are in the report, and a failing post-command is a warning")
    func commandsRunAroundTheBackup() async throws {
        let vault = try TestVault()
        let source = try SourceTree(["data/a.txt": "alpha"])
        let agent = try TestAgent()
        defer { Task { await agent.stop() } }
        try agent.register(vault, paths: [source.root])
        let marker = source.root + "/../post-ran-\(UUID().uuidString)"
        try agent.service.saveGoal(try goal(source, pre: "echo dumped > '\(source.root)/dump.sql'; echo pre for $HAVEN_ITEM_NAME",
                                            post: "echo $HAVEN_RESULT > '\(marker)'; exit 4"), securityPIN: nil)
        let jobs = try agent.service.backUpNow(retainUntil: nil)
        let job = try await agent.waitForJob(jobs[0].id)
        #expect(job.state == .completedWithWarnings, "\(job.failureReason ?? "")")
        let report = try #require(try agent.service.report(of: job.id))
        #expect(report.filesNew == 2, "the dump the pre-command wrote was backed up")
        let commands = try #require(report.commands)
        #expect(commands.map(\.phase) == ["pre", "post"])
        #expect(commands[0].succeeded && commands[0].output.contains("pre for Files and folders"))
        #expect(commands[1].exitStatus == 4)
        #expect(report.warnings.contains("post-backup command: exited with status 4"))
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: marker)), as: UTF8.self) == "succeeded\n")
        try? FileManager.default.removeItem(atPath: marker)
    }

    @Test("a failing or hanging pre-command aborts the backup with the reason, and nothing is committed")
    func failingPreCommandAborts() async throws {
        let vault = try TestVault()
        let source = try SourceTree(["data/a.txt": "alpha"])
        let agent = try TestAgent()
        defer { Task { await agent.stop() } }
        try agent.register(vault, paths: [source.root])

        try agent.service.saveGoal(try goal(source, pre: "echo cannot reach the database >&2; exit 3", post: nil), securityPIN: nil)
        let failed = try await agent.waitForJob(try agent.service.backUpNow(retainUntil: nil)[0].id)
        #expect(failed.state == .failed)
        #expect(failed.failureReason?.contains("exited with status 3") == true && failed.failureReason?.contains("cannot reach the database") == true,
                "\(failed.failureReason ?? "")")

        try agent.service.saveGoal(try goal(source, pre: "sleep 30", post: nil, timeout: 1), securityPIN: nil)
        let started = Date()
        let hung = try await agent.waitForJob(try agent.service.backUpNow(retainUntil: nil)[0].id)
        #expect(hung.state == .failed && hung.failureReason?.contains("did not finish within 1 seconds") == true, "\(hung.failureReason ?? "")")
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(try agent.service.recoveryPoints(machine: nil, passphrase: nil).isEmpty)

        #expect(throws: AgentError.self) { try agent.service.saveGoal(try goal(source, pre: "   ", post: nil), securityPIN: nil) }
        #expect(throws: AgentError.self) { try agent.service.saveGoal(try goal(source, pre: "true", post: nil, timeout: 0), securityPIN: nil) }
    }
}
