/// Back up now, jobs, recovery points, browse, search and restore through the API, on a real agent and vault.
import AgentPortal
import FileIO
import Foundation
import Testing

@Suite("API jobs and recovery", .serialized)
struct APIJobsTests {
    @Test("back up now runs to succeeded with a report; bad dates and ids answer 400, unknown jobs 404, cancelling a finished job 409")
    func backUpNow() async throws {
        let vault = try APILoopbackVault()
        let agent = try APITestAgent()
        let source = try temporaryDirectory("agent-api-source")
        defer { try? FileIO.removeTree(source) }
        try writeSourceTree(source)
        try await agent.registerAndProtect(vault, source: source)

        for body in [#"{"retainUntil": "tomorrow"}"#, #"{"retainUntil": "2099-01-01T00:00:00+02:00"}"#, #"{"retainUntil": "2001-01-01T00:00:00Z"}"#,
                     #"{"retainUntil": 12}"#, "[1"] {
            let answer = try await agent.call("POST", "/api/v1/backups", json: body)
            #expect(answer.status == 400, "\(body): \(answer.status) \(answer.errorMessage)")
            #expect(answer.errorCode == "invalid_request")
        }
        #expect(try await agent.call("GET", "/api/v1/jobs").decode(AgentAPI.JobList.self).jobs.isEmpty, "a refused request queues nothing")
        let before = try await agent.call("GET", "/api/v1/status").decode(AgentAPI.Status.self).journal
        #expect(before.items.map(\.name) == ["Files and folders"] && before.items.first?.nextMode == "unoptimized", "\(before)")
        #expect(before.items.first?.reason?.hasPrefix("first backup") == true && before.items.first?.changedDirectories == nil)

        let started = try await agent.call("POST", "/api/v1/backups", json: #"{"retainUntil": "2099-01-01T00:00:00Z"}"#)
        #expect(started.status == 202, "\(started.errorMessage)")
        let job = try #require(try started.decode(AgentAPI.JobList.self).jobs.first)
        #expect(job.kind == "backup" && job.trigger == "manual" && job.itemName == "Files and folders")
        let done = try await agent.waitForJob(job.id)
        #expect(done.job.state == "succeeded", "\(done.job)")
        let report = try #require(done.report)
        #expect(report.filesNew == 3)
        #expect(report.bytesProtected == 11 + 12 + 30_000)
        #expect(report.mode == "optimized" || report.mode == "unoptimized")
        let pointId = try #require(report.recoveryPoint)

        let listed = try await agent.call("GET", "/api/v1/jobs?limit=10&offset=0").decode(AgentAPI.JobList.self)
        #expect(listed.jobs.map(\.id) == [job.id])
        let progress = try await agent.call("GET", "/api/v1/jobs/\(job.id)/progress").decode(AgentAPI.ProgressState.self)
        #expect(progress.state == "succeeded" && progress.progress == nil)
        #expect(try await agent.call("GET", "/api/v1/jobs/\(job.id)/report").decode(AgentAPI.ReportState.self).report == report)
        let cancel = try await agent.call("POST", "/api/v1/jobs/\(job.id)/cancel")
        #expect(cancel.status == 409 && cancel.errorCode == "conflict")
        for (path, status) in [("/api/v1/jobs/abc", 400), ("/api/v1/jobs/0", 400), ("/api/v1/jobs/-3/report", 400),
                               ("/api/v1/jobs/987654", 404), ("/api/v1/jobs/987654/progress", 404),
                               ("/api/v1/jobs?limit=0", 400), ("/api/v1/jobs?limit=ten", 400), ("/api/v1/jobs?offset=-1", 400)] {
            #expect(try await agent.call("GET", path).status == status, "\(path)")
        }

        let status = try await agent.call("GET", "/api/v1/status").decode(AgentAPI.Status.self)
        #expect(status.lastBackup?.id == job.id)
        #expect(status.protectedBytes == report.bytesProtected)
        #expect(status.nextBackup.flatMap(APITime.parse) != nil)
        // After a successful backup the next one is optimized exactly when the journal runs.
        let next = try #require(status.journal.items.first)
        if status.journal.state == "running" {
            #expect(next.nextMode == "optimized" && next.reason == nil && next.changedDirectories != nil, "\(status.journal)")
        } else {
            #expect(status.journal.state == "unavailable" && status.journal.reason != nil, "\(status.journal)")
            #expect(next.nextMode == "unoptimized" && next.reason?.hasPrefix("no change journal") == true, "\(next)")
        }

        let points = try await agent.call("GET", "/api/v1/recovery-points").decode(AgentAPI.RecoveryPoints.self).recoveryPoints
        #expect(points.map(\.id) == [pointId])
        #expect(points.first?.retainUntil == "2099-01-01T00:00:00Z")
        #expect(points.first?.itemKind == "files")
    }

    @Test("a point's tree and search; restore to another folder gives identical files; bad targets, conflicts and points are refused")
    func browseAndRestore() async throws {
        let vault = try APILoopbackVault()
        let agent = try APITestAgent()
        let source = try temporaryDirectory("agent-api-source")
        let target = try temporaryDirectory("agent-api-target")
        defer {
            try? FileIO.removeTree(source)
            try? FileIO.removeTree(target)
        }
        try writeSourceTree(source)
        try await agent.registerAndProtect(vault, source: source)
        let job = try #require(try await agent.call("POST", "/api/v1/backups").decode(AgentAPI.JobList.self).jobs.first)
        let point = try #require(try await agent.waitForJob(job.id).report?.recoveryPoint)

        let tree = try await agent.call("GET", "/api/v1/recovery-points/\(point)/tree?path=" + source).decode(AgentAPI.Entries.self)
        #expect(tree.entries.map(\.name) == ["docs", "a.txt"])
        #expect(tree.entries.map(\.path) == [source + "/docs", source + "/a.txt"])
        let posted = try await agent.call("POST", "/api/v1/recovery-points/\(point)/tree", json: "{\"path\": \"\(source)/docs\"}").decode(AgentAPI.Entries.self)
        #expect(posted.entries.map(\.name) == ["deep", "b.conf"])
        let found = try await agent.call("GET", "/api/v1/recovery-points/\(point)/search?pattern=*.conf").decode(AgentAPI.Entries.self)
        #expect(found.entries.map(\.path) == [source + "/docs/b.conf"])
        #expect(try await agent.call("GET", "/api/v1/recovery-points/\(point)/search").status == 400)
        #expect(try await agent.call("GET", "/api/v1/recovery-points/\(point)/tree?path=" + source + "/nothing").status == 404)
        #expect(try await agent.call("GET", "/api/v1/recovery-points/\(String(repeating: "0", count: 64))/tree").status == 404)

        let refusals: [(String, String)] = [
            ("{\"recoveryPoint\": \"\(point)\", \"target\": \"relative/dir\"}", "target"),
            ("{\"recoveryPoint\": \"\(point)\", \"target\": \"\(target)\", \"conflict\": \"merge\"}", "conflict"),
            ("{\"recoveryPoint\": \"\(point)\", \"target\": \"\(target)\", \"paths\": [\"docs\"]}", "paths"),
            ("{\"target\": \"\(target)\"}", "recoveryPoint"),
            ("{\"recoveryPoint\": \"\(point)\", \"target\": \"\(target)\", \"machine\": \"no-such-machine\"}", "machine"),
        ]
        for (body, field) in refusals {
            let answer = try await agent.call("POST", "/api/v1/restores", json: body)
            #expect((400...404).contains(answer.status), "\(body): \(answer.status)")
            #expect(answer.errorField == field, "\(body): \(answer.errorMessage)")
        }
        let unknown = try await agent.call("POST", "/api/v1/restores", json: "{\"recoveryPoint\": \"\(String(repeating: "0", count: 64))\", \"target\": \"\(target)\"}")
        #expect(unknown.status == 404, "\(unknown.errorMessage)")

        let restore = try await agent.call("POST", "/api/v1/restores", json: "{\"recoveryPoint\": \"\(point)\", \"target\": \"\(target)/all\"}")
        #expect(restore.status == 202, "\(restore.errorMessage)")
        let restoreJob = try restore.decode(AgentAPI.JobDetail.self).job
        #expect(restoreJob.kind == "restore")
        let restored = try await agent.waitForJob(restoreJob.id)
        #expect(restored.job.state == "succeeded", "\(restored.job)")
        #expect(restored.report?.filesRestored == 3)
        for path in ["a.txt", "docs/b.conf", "docs/deep/c.txt"] {
            #expect(try FileIO.readFile(target + "/all" + source + "/" + path) == FileIO.readFile(source + "/" + path), "\(path)")
        }

        let part = try await agent.call("POST", "/api/v1/restores", object: [
            "recoveryPoint": point, "target": target + "/part", "paths": [source + "/docs/deep"], "conflict": "overwrite",
            "restorePermissions": false,
        ])
        #expect(part.status == 202, "\(part.errorMessage)")
        #expect(try await agent.waitForJob(try part.decode(AgentAPI.JobDetail.self).job.id).job.state == "succeeded")
        #expect(try FileIO.readFile(target + "/part" + source + "/docs/deep/c.txt") == FileIO.readFile(source + "/docs/deep/c.txt"))
        #expect(!FileIO.exists(target + "/part" + source + "/a.txt"))
    }

    @Test("another machine's points and files: listed by name, read with its passphrase in the body, refused with a wrong one")
    func anotherMachine() async throws {
        let vault = try APILoopbackVault()
        let first = try APITestAgent()
        let second = try APITestAgent()
        let source = try temporaryDirectory("agent-api-source")
        let target = try temporaryDirectory("agent-api-target")
        defer {
            try? FileIO.removeTree(source)
            try? FileIO.removeTree(target)
        }
        try writeSourceTree(source)
        try await first.registerAndProtect(vault, source: source, name: "web-01", passphrase: "the first machine's passphrase")
        let job = try #require(try await first.call("POST", "/api/v1/backups").decode(AgentAPI.JobList.self).jobs.first)
        let point = try #require(try await first.waitForJob(job.id).report?.recoveryPoint)
        try await second.registerAndProtect(vault, source: source, name: "web-02", passphrase: "the second machine's passphrase")

        let machines = try await second.call("GET", "/api/v1/machines").decode(AgentAPI.Machines.self)
        #expect(Set(machines.machines.map(\.name)) == ["web-01", "web-02"])
        let points = try await second.call("POST", "/api/v1/recovery-points/query", object: ["machine": "web-01"])
            .decode(AgentAPI.RecoveryPoints.self).recoveryPoints
        #expect(points.map(\.id) == [point])
        #expect(try await second.call("GET", "/api/v1/recovery-points").decode(AgentAPI.RecoveryPoints.self).recoveryPoints.isEmpty)

        let wrong = try await second.call("POST", "/api/v1/recovery-points/\(point)/tree",
                                    object: ["machine": "web-01", "passphrase": "the second machine's passphrase", "path": source])
        #expect(wrong.status == 403)
        #expect(wrong.errorCode == "wrong_passphrase")
        let tree = try await second.call("POST", "/api/v1/recovery-points/\(point)/tree",
                                   object: ["machine": "web-01", "passphrase": "the first machine's passphrase", "path": source])
        #expect(try tree.decode(AgentAPI.Entries.self).entries.map(\.name) == ["docs", "a.txt"])

        let restore = try await second.call("POST", "/api/v1/restores", object: [
            "recoveryPoint": point, "machine": "web-01", "passphrase": "the first machine's passphrase", "target": target,
        ])
        #expect(restore.status == 202, "\(restore.errorMessage)")
        let restored = try await second.waitForJob(try restore.decode(AgentAPI.JobDetail.self).job.id)
        #expect(restored.job.state == "succeeded", "\(restored.job)")
        for path in ["a.txt", "docs/b.conf", "docs/deep/c.txt"] {
            #expect(try FileIO.readFile(target + source + "/" + path) == FileIO.readFile(source + "/" + path), "\(path)")
        }
    }
}
