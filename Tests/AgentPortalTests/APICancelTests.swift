/// A running job through the API: live progress while it runs, and cancel.
import AgentPortal
import FileIO
import Foundation
import Testing

@Suite("API live progress and cancel", .serialized)
struct APICancelTests {
    @Test("a running backup shows live progress, and cancel stops it: 202, then cancelled, with no recovery point")
    func cancelRunning() throws {
        let vault = try APILoopbackVault()
        let agent = try APITestAgent()
        let source = try temporaryDirectory("agent-api-large")
        defer { try? FileIO.removeTree(source) }
        try writeIncompressible(source, files: 4, bytes: 1 << 20)
        try agent.registerAndProtect(vault, source: source)
        // Uploads at 64 KiB/s all week: the backup is still running when the cancel arrives, however fast the machine.
        let slow = try agent.call("PUT", "/api/v1/settings", object: [
            "cacheDirectory": agent.state + "/cache",
            "throttle": ["workBytesPerSecond": 65536, "otherBytesPerSecond": 65536, "workDays": ["monday"], "workStart": "09:00", "workEnd": "17:00"],
        ])
        #expect(slow.status == 200, "\(slow.errorMessage)")

        let job = try #require(try agent.call("POST", "/api/v1/backups").decode(AgentAPI.JobList.self).jobs.first)
        var live: AgentAPI.Progress?
        for _ in 0..<2000 where live == nil {
            let state = try agent.call("GET", "/api/v1/jobs/\(job.id)/progress").decode(AgentAPI.ProgressState.self)
            if state.state == "running" { live = state.progress }
            if live == nil { usleep(5_000) }
        }
        let progress = try #require(live, "the backup was never seen running")
        #expect(progress.bytesRead <= 4 << 20)
        let detail = try agent.call("GET", "/api/v1/jobs/\(job.id)").decode(AgentAPI.JobDetail.self)
        #expect(detail.job.state == "running" && detail.progress != nil && detail.report == nil)

        let cancel = try agent.call("POST", "/api/v1/jobs/\(job.id)/cancel")
        #expect(cancel.status == 202, "\(cancel.errorMessage)")
        #expect(["cancelling", "cancelled"].contains(try cancel.decode(AgentAPI.JobDetail.self).job.state))
        let finished = try agent.waitForJob(job.id)
        #expect(finished.job.state == "cancelled", "\(finished.job)")
        #expect(try agent.call("GET", "/api/v1/recovery-points").decode(AgentAPI.RecoveryPoints.self).recoveryPoints.isEmpty)
    }
}

/// Writes `files` files of `bytes` pseudo-random bytes each, so the backup has real work to do.
func writeIncompressible(_ root: String, files: Int, bytes: Int) throws {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
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
