/// Jobs that have not finished, through the API: live progress while one runs, and cancel.
import AgentPortal
import FileIO
import Foundation
import Testing

@Suite("API live progress and cancel", .serialized)
struct APICancelTests {
    @Test("a running backup shows live progress; a restore queued behind it cancels at once and never runs; the backup's cancel is accepted")
    func cancel() async throws {
        let vault = try APILoopbackVault()
        let agent = try APITestAgent()
        let source = try temporaryDirectory("agent-api-large")
        let target = try temporaryDirectory("agent-api-target")
        defer {
            try? FileIO.removeTree(source)
            try? FileIO.removeTree(target)
        }
        try writeIncompressible(source, files: 4, bytes: 1 << 20, seed: 1)
        try await agent.registerAndProtect(vault, source: source)
        let first = try #require(try await agent.call("POST", "/api/v1/backups").decode(AgentAPI.JobList.self).jobs.first)
        let point = try #require(try await agent.waitForJob(first.id).report?.recoveryPoint)

        // New content uploaded at 512 KiB/s: the second backup runs for seconds however fast the machine is.
        try writeIncompressible(source, files: 4, bytes: 1 << 20, seed: 2)
        let slow = try await agent.call("PUT", "/api/v1/settings", object: [
            "cacheDirectory": agent.state + "/cache",
            "throttle": ["workBytesPerSecond": 524_288, "otherBytesPerSecond": 524_288, "workDays": ["monday"], "workStart": "09:00", "workEnd": "17:00"],
        ])
        #expect(slow.status == 200, "\(slow.errorMessage)")
        let backup = try #require(try await agent.call("POST", "/api/v1/backups").decode(AgentAPI.JobList.self).jobs.first)
        let restore = try await agent.call("POST", "/api/v1/restores", object: ["recoveryPoint": point, "target": target])
        #expect(restore.status == 202, "\(restore.errorMessage)")
        let queued = try restore.decode(AgentAPI.JobDetail.self).job

        var live: AgentAPI.Progress?
        var seen: [String] = []
        for _ in 0..<2000 where live == nil {
            let state = try await agent.call("GET", "/api/v1/jobs/\(backup.id)/progress").decode(AgentAPI.ProgressState.self)
            if seen.last != state.state { seen.append(state.state) }
            if state.state == "running" { live = state.progress }
            if live == nil { try await Task.sleep(for: .milliseconds(5)) }
        }
        let progress = try #require(live, "the backup was never seen running with progress; states seen: \(seen)")
        #expect(progress.bytesRead <= 4 << 20 && progress.filesDone <= 4)
        let detail = try await agent.call("GET", "/api/v1/jobs/\(backup.id)").decode(AgentAPI.JobDetail.self)
        #expect(detail.job.state == "running" && detail.progress != nil && detail.report == nil)

        let cancelQueued = try await agent.call("POST", "/api/v1/jobs/\(queued.id)/cancel")
        #expect(cancelQueued.status == 202, "\(cancelQueued.errorMessage)")
        #expect(try cancelQueued.decode(AgentAPI.JobDetail.self).job.state == "cancelled")
        let again = try await agent.call("POST", "/api/v1/jobs/\(queued.id)/cancel")
        #expect(again.status == 409 && again.errorCode == "conflict")

        let cancelRunning = try await agent.call("POST", "/api/v1/jobs/\(backup.id)/cancel")
        #expect(cancelRunning.status == 202, "\(cancelRunning.errorMessage)")
        #expect(try cancelRunning.decode(AgentAPI.JobDetail.self).job.state == "cancelling")
        // It stops at its next file, or completes when only uploads were left: either way it ends.
        let ended = try await agent.waitForJob(backup.id)
        #expect(["cancelled", "succeeded"].contains(ended.job.state), "\(ended.job)")
        #expect(try await agent.waitForJob(queued.id).job.state == "cancelled")
        #expect(try FileIO.listDirectory(target).isEmpty, "the cancelled restore never ran")
    }
}

/// Writes `files` files of `bytes` pseudo-random bytes each (different for each seed), so a backup has real work to do.
func writeIncompressible(_ root: String, files: Int, bytes: Int, seed: UInt64) throws {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* seed
    for index in 0..<files {
        var buffer = [UInt8](repeating: 0, count: bytes)
        buffer.withUnsafeMutableBytes { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for i in 0..<words.count {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                words[i] = state
            }
        }
        try FileIO.writeFileAtomically(root + "/file-\(index).bin", buffer, durable: false)
    }
}
