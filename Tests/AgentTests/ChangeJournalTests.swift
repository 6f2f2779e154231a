import Agent
import Foundation
import Testing

@Suite("The agent's change journal", .serialized)
struct ChangeJournalTests {
    @Test("with the journal running a backup lists only what changed; after the agent restarts the next one is unoptimized, then optimized again")
    func optimizedAcrossRestart() async throws {
        let vault = try TestVault()
        let source = try SourceTree(["docs/a.txt": "alpha", "docs/deep/b.txt": "beta", "other/c.txt": "gamma"])
        let before = try TestAgent()
        try before.register(vault, paths: [source.root])
        let (_, first) = try await before.backUp()
        #expect(first.mode == "unoptimized" && first.modeReason?.hasPrefix("first backup") == true)

        try source.write("docs/deep/b.txt", "beta, changed")
        try source.write("other/new.txt", "new")
        let (_, second) = try await before.backUp()
        #expect(second.mode == "optimized", "\(second.modeReason ?? "")")
        #expect(second.filesChanged == 1 && second.filesNew == 1 && second.filesUnchanged == 2)
        #expect(second.bytesProtected == 5 + 13 + 5 + 3)

        // A restart is a gap: changes made while no agent watched cannot be known.
        await before.stop()
        try source.write("docs/a.txt", "alpha, changed while the agent was down")
        let after = try TestAgent(state: before.state)
        defer { Task { await after.stop() } }
        let (_, third) = try await after.backUp()
        #expect(third.mode == "unoptimized" && third.modeReason?.contains("restarted") == true, "\(third.modeReason ?? "")")
        #expect(third.filesChanged == 1)

        try source.write("other/c.txt", "gamma, changed")
        let (_, fourth) = try await after.backUp()
        #expect(fourth.mode == "optimized", "\(fourth.modeReason ?? "")")
        #expect(fourth.filesChanged == 1 && fourth.filesUnchanged == 3)
        withExtendedLifetime(before) {}
    }

    @Test("a folder the journal already recorded keeps being backed up: changes the kernel drops before a backup are read by it, and changes after it are recorded again")
    func recordedFolderChangesAgain() async throws {
        let vault = try TestVault()
        let source = try SourceTree(["docs/a.txt": "alpha", "docs/deep/b.txt": "beta", "other/c.txt": "gamma"])
        let agent = try TestAgent()
        defer { Task { await agent.stop() } }
        try agent.register(vault, paths: [source.root])
        _ = try await agent.backUp()

        // The journal's thread records docs/deep within half a second and then ignores further events in it.
        try source.write("docs/deep/b.txt", "beta 2")
        usleep(600_000)
        try source.write("docs/deep/b.txt", "beta, third version")
        let (_, second) = try await agent.backUp()
        #expect(second.mode == "optimized", "\(second.modeReason ?? "")")
        #expect(second.filesChanged == 1 && second.bytesProtected == 5 + 19 + 5, "the backup read the last version")

        // The backup's mark removed the ignore mark: the next change in docs/deep is recorded again.
        try source.write("docs/deep/b.txt", "beta, fourth and last version")
        usleep(600_000)
        let (_, third) = try await agent.backUp()
        #expect(third.mode == "optimized", "\(third.modeReason ?? "")")
        #expect(third.filesChanged == 1 && third.bytesProtected == 5 + 29 + 5, "\(third.filesChanged) changed, \(third.bytesProtected) bytes")
    }
}
