/// HookCommand runs a backup goal's pre- or post-backup command through the shell, with a timeout, and keeps the end
/// of its output for the job's report.
import Foundation
import Glibc

enum HookCommand {
    static let outputLimit = 16 << 10

    /// Runs `command` with `/bin/sh -c`, `environment` added to the agent's own; stops it and everything it started
    /// (SIGTERM to its process group, then SIGKILL after 5 seconds) when it runs past `timeout`.
    static func run(_ command: String, phase: String, timeout: TimeInterval, environment: [String: String]) -> CommandRun {
        let started = Date()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let collected = OutputTail(limit: outputLimit)
        let reader = Thread {
            while true {
                let data = pipe.fileHandleForReading.availableData
                if data.isEmpty { break }
                collected.append(data)
            }
        }
        do { try process.run() } catch {
            return CommandRun(phase: phase, command: command, exitStatus: nil, timedOut: false, durationSeconds: 0,
                              output: "could not start /bin/sh: \(error)")
        }
        reader.start()
        var timedOut = false
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() >= deadline {
                // Foundation starts the shell as a process group leader: signal the group, so what the shell started
                // goes too (Foundation counts the command as running until the whole group is gone).
                timedOut = true
                Self.signal(process.processIdentifier, SIGTERM)
                let grace = Date().addingTimeInterval(5)
                while process.isRunning, Date() < grace { usleep(20_000) }
                if process.isRunning { Self.signal(process.processIdentifier, SIGKILL) }
                break
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        // The command's children may keep the pipe open; do not wait for them beyond a moment.
        let readerDeadline = Date().addingTimeInterval(1)
        while !reader.isFinished, Date() < readerDeadline { usleep(10_000) }
        let killed = timedOut || process.terminationReason == .uncaughtSignal
        return CommandRun(phase: phase, command: command, exitStatus: killed ? nil : process.terminationStatus, timedOut: timedOut,
                          durationSeconds: Date().timeIntervalSince(started), output: collected.text)
    }
}

extension HookCommand {
    /// Signals the process group the command leads, or the command alone when it leads none.
    fileprivate static func signal(_ pid: Int32, _ number: Int32) {
        if kill(-pid, number) != 0 { kill(pid, number) }
    }
}

/// The last `limit` bytes of a stream, appended to from the reading thread and read once it ended.
///
/// `@unchecked Sendable`: `bytes` is touched only under `lock`.
private final class OutputTail: @unchecked Sendable {
    private let limit: Int
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    init(limit: Int) { self.limit = limit }

    func append(_ data: Data) {
        lock.withLock {
            bytes.append(contentsOf: data)
            if bytes.count > limit { bytes.removeFirst(bytes.count - limit) }
        }
    }

    var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
}
