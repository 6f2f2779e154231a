/// HookCommand runs a backup goal's pre- or post-backup command through the shell, with a timeout, and keeps the end
/// of its output for the job's report.
import Backup
import Foundation

enum HookCommand {
    static let outputLimit = 16 << 10

    /// Runs `command` with `/bin/sh -c`, `environment` added to the agent's own; stops it and everything it started
    /// (SIGTERM to its process group, then SIGKILL after 5 seconds) when it runs past `timeout`.
    static func run(_ command: String, phase: String, timeout: TimeInterval, environment: [String: String]) -> CommandRun {
        var child = ChildProcess(executable: "/bin/sh", arguments: ["-c", command],
                                 environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                 standardOutput: .tail(limit: outputLimit), standardError: .tail(limit: outputLimit),
                                 timeout: timeout)
        child.gracePeriod = 5
        let result = child.run()
        if let failure = result.startFailure {
            return CommandRun(phase: phase, command: command, exitStatus: nil, timedOut: false, durationSeconds: 0, output: failure)
        }
        return CommandRun(phase: phase, command: command, exitStatus: result.exitStatus, timedOut: result.stopReason != nil,
                          durationSeconds: result.durationSeconds, output: result.tail)
    }
}
