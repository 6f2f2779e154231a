import Agent
import Testing

@Suite("Job state machine")
struct JobStateTests {
    @Test("a job runs from queued to succeeded, or to completed with warnings")
    func happyPaths() throws {
        var job = JobStateMachine()
        try job.apply(.start)
        try job.apply(.complete(warnings: 0))
        #expect(job.state == .succeeded && job.state.isFinished)

        var warned = JobStateMachine()
        try warned.apply(.start)
        try warned.apply(.complete(warnings: 2))
        #expect(warned.state == .completedWithWarnings)
    }

    @Test("cancel stops a queued job at once and a running one at its next safe point")
    func cancelling() throws {
        var queued = JobStateMachine()
        try queued.apply(.requestCancel)
        #expect(queued.state == .cancelled)

        var running = JobStateMachine()
        try running.apply(.start)
        try running.apply(.requestCancel)
        #expect(running.state == .cancelling)
        try running.apply(.requestCancel)
        try running.apply(.stoppedAfterCancel)
        #expect(running.state == .cancelled)
    }

    @Test("a job that was running when the agent died is failed with the reason and forces an unoptimized next backup")
    func restartAfterCrash() throws {
        var job = JobStateMachine(state: .running)
        try job.apply(.agentRestarted)
        #expect(job.state == .failed)
        #expect(job.failureReason?.contains("agent stopped") == true)
        #expect(job.nextBackupMustBeUnoptimized)

        var waiting = JobStateMachine(state: .queued)
        try waiting.apply(.agentRestarted)
        #expect(waiting.state == .queued && !waiting.nextBackupMustBeUnoptimized)
    }

    @Test("finished jobs refuse further events and say why")
    func finishedIsFinal() throws {
        var job = JobStateMachine()
        try job.apply(.start)
        try job.apply(.fail(reason: "the vault refused the upload"))
        #expect(job.failureReason == "the vault refused the upload")
        let error = #expect(throws: JobTransitionError.self) { try job.apply(.requestCancel) }
        #expect(error?.description.contains("already finished") == true)
        #expect(throws: JobTransitionError.self) { try job.apply(.start) }
        #expect(job.state == .failed)
    }
}
