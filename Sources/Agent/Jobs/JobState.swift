/// JobState is the life of one job (a backup or a restore) as a pure state machine: what may follow what,
/// and what an agent that died mid-job records when it starts again.

/// Where a job is in its life.
public enum JobState: String, Codable, Sendable, CaseIterable {
    case queued, running, cancelling, succeeded
    /// Finished, but some files could not be read or written; the job's report lists them.
    case completedWithWarnings = "completed-with-warnings"
    case failed, cancelled

    /// Whether the job can change no more.
    public var isFinished: Bool {
        switch self {
        case .queued, .running, .cancelling: false
        case .succeeded, .completedWithWarnings, .failed, .cancelled: true
        }
    }

    /// For the portal's badges and the CLI.
    public var label: String {
        switch self {
        case .queued: "Queued"
        case .running: "Running"
        case .cancelling: "Cancelling"
        case .succeeded: "Succeeded"
        case .completedWithWarnings: "Completed with warnings"
        case .failed: "Failed"
        case .cancelled: "Cancelled"
        }
    }
}

/// Something that happens to a job.
public enum JobEvent: Sendable, Equatable {
    case start
    case requestCancel
    /// The work ended normally; `warnings` files could not be handled.
    case complete(warnings: Int)
    case fail(reason: String)
    /// The worker stopped at a safe point after a cancel request.
    case stoppedAfterCancel
    /// The agent starts and finds the job as the previous process left it.
    case agentRestarted
}

/// A job's state and the facts its transitions establish.
public struct JobStateMachine: Sendable, Equatable {
    public private(set) var state: JobState
    /// Why the job failed, in words for the job's details.
    public private(set) var failureReason: String?
    /// Set when the job was interrupted in a way that leaves the change journal unreliable: the next backup of
    /// the same item must read every file's metadata again (unoptimized mode).
    public private(set) var nextBackupMustBeUnoptimized = false

    public init(state: JobState = .queued) {
        self.state = state
    }

    /// Applies `event`, or says why it cannot apply (the job is left as it was).
    public mutating func apply(_ event: JobEvent) throws(JobTransitionError) {
        switch (state, event) {
        case (.queued, .start):
            state = .running
        case (.queued, .requestCancel):
            state = .cancelled
        case (.queued, .agentRestarted):
            break  // still waiting; the worker picks it up again
        case (.running, .requestCancel):
            state = .cancelling
        case (.running, .complete(let warnings)), (.cancelling, .complete(let warnings)):
            state = warnings > 0 ? .completedWithWarnings : .succeeded
        case (.running, .fail(let reason)), (.cancelling, .fail(let reason)):
            state = .failed
            failureReason = reason
        case (.cancelling, .stoppedAfterCancel):
            state = .cancelled
        case (.cancelling, .requestCancel):
            break  // already on its way
        case (.running, .agentRestarted):
            state = .failed
            failureReason = "the agent stopped while the job was running (it was restarted, killed or the machine went down)"
            nextBackupMustBeUnoptimized = true
        case (.cancelling, .agentRestarted):
            state = .cancelled
            nextBackupMustBeUnoptimized = true
        default:
            throw JobTransitionError(from: state, event: event)
        }
    }
}

/// An event that cannot happen in the job's current state, e.g. cancelling a job that already finished.
public struct JobTransitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let from: JobState
    public let event: JobEvent

    public var description: String {
        switch event {
        case .requestCancel where from.isFinished:
            "the job has already finished (\(from.label.lowercased())); there is nothing to cancel"
        default:
            "a job that is \(from.label.lowercased()) cannot take the event \(event)"
        }
    }
}
