/// The agent keeps its repository's index between jobs: a job lists the index objects and reads only those the
/// agent has neither read nor written, against a real vault on loopback.
import Agent
import Foundation
import Testing

@Suite("The agent's index cache", .serialized)
struct AgentIndexCacheTests {
    @Test("a backup job reads only the index objects the agent has not read or written; a restarted agent reads them once")
    func jobsReadOnlyNewIndexObjects() async throws {
        let vault = try TestVault()
        let agent = try TestAgent()
        let source = try SourceTree(["docs/a.txt": "alpha", "docs/b.txt": "bravo"])
        try source.writeRandom("data/first.bin", bytes: 300_000)
        try agent.register(vault, paths: [source.root])

        _ = try await agent.backUp()
        let cache = agent.service.indexCache
        #expect(cache.lastLoad.listed == 0 && cache.lastLoad.read == 0, "a new repository has no index yet")
        let written = cache.count
        #expect(written >= 1, "the first job's index objects are in the cache as it wrote them")

        try source.writeRandom("data/second.bin", bytes: 200_000)
        let (_, second) = try await agent.backUp()
        #expect(second.filesNew == 1 && second.filesUnchanged == 3)
        #expect(cache.lastLoad.listed == written && cache.lastLoad.read == 0 && !cache.lastLoad.fromScratch)
        let afterSecond = cache.count
        #expect(afterSecond > written, "the second job's index object joined the cache")
        await agent.stop()

        // A new process starts empty: its first job reads every index object, its next one none.
        let restarted = try TestAgent(state: agent.state)
        defer { Task { await restarted.stop() } }
        try source.write("docs/a.txt", "alpha, changed")
        let (_, third) = try await restarted.backUp()
        #expect(third.filesChanged == 1 && third.filesUnchanged == 3, "every unchanged blob was found in the index")
        #expect(third.bytesNew < 1000, "only the changed file's blob is new: \(third.bytesNew)")
        let reloaded = restarted.service.indexCache
        #expect(reloaded.lastLoad.listed == afterSecond && reloaded.lastLoad.read == afterSecond)
        let held = reloaded.count
        try source.write("docs/b.txt", "bravo, changed")
        _ = try await restarted.backUp()
        #expect(reloaded.lastLoad.listed == held && reloaded.lastLoad.read == 0)
        withExtendedLifetime(agent) {}
    }
}
