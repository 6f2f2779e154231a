/// ChildProcess runs another program for Haven with a deadline, and stops it together with everything it started:
/// the one runner behind backup goals' pre- and post-backup commands and the system state's collection commands.
import Foundation
import Glibc

public struct ChildProcess {
    /// Where the program's standard output or error goes.
    public enum Sink {
        /// Nowhere (/dev/null).
        case discard
        /// A file opened for writing; the caller owns and closes it.
        case file(FileHandle)
        /// A pipe read while the program runs, of which the last `limit` bytes are kept; when both standard output
        /// and error name a tail, they share one pipe, so their lines keep the order they were written in.
        case tail(limit: Int)
    }

    /// How a run ended.
    public struct Result: Sendable {
        /// The exit status; nil when the program did not exit by itself (it could not start, a signal killed it, or
        /// it was stopped).
        public var exitStatus: Int32?
        /// The signal that ended it, when one did.
        public var signal: Int32?
        /// Why Haven stopped it (past the deadline, or what `stopWhen` answered); nil when it ended by itself.
        public var stopReason: String?
        /// Why it could not be started.
        public var startFailure: String?
        /// The kept end of a `.tail` sink's output.
        public var tail = ""
        public var durationSeconds: Double
    }

    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]
    public var standardOutput: Sink
    public var standardError: Sink
    public var timeout: TimeInterval
    /// After stopping it with SIGTERM, how long to wait before SIGKILL; zero sends SIGKILL at once.
    public var gracePeriod: TimeInterval = 0
    /// Asked every few milliseconds while it runs: a reason to stop it now (an output grown past a limit), or nil.
    public var stopWhen: () -> String? = { nil }

    public init(executable: String, arguments: [String], environment: [String: String], standardOutput: Sink,
                standardError: Sink, timeout: TimeInterval) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.timeout = timeout
    }

    /// Runs the program to its end, or until it is stopped: SIGTERM (then SIGKILL after `gracePeriod`) to its process
    /// group, since Foundation starts it as a group leader and what it started must go too.
    public func run() -> Result {
        let started = Date()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        var pipe: Pipe?
        var collected: OutputTail?
        func attach(_ sink: Sink) -> Any {
            switch sink {
            case .discard:
                return FileHandle.nullDevice
            case .file(let handle):
                return handle
            case .tail(let limit):
                if pipe == nil {
                    pipe = Pipe()
                    collected = OutputTail(limit: limit)
                }
                return pipe!
            }
        }
        process.standardOutput = attach(standardOutput)
        process.standardError = attach(standardError)
        let reader = pipe.map { [collected] pipe in
            Thread {
                while true {
                    let data = pipe.fileHandleForReading.availableData
                    if data.isEmpty { break }
                    collected?.append(data)
                }
            }
        }
        do { try process.run() } catch {
            return Result(startFailure: "could not start \(executable): \(error)", durationSeconds: 0)
        }
        reader?.start()
        let deadline = started.addingTimeInterval(timeout)
        var stopReason: String?
        while process.isRunning {
            if Date() >= deadline {
                stopReason = "did not finish within \(Int(timeout)) seconds and was stopped"
            } else if let reason = stopWhen() {
                stopReason = reason
            }
            if stopReason != nil {
                stop(process)
                break
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        if let reader {
            // The program's children may keep the pipe open; do not wait for them beyond a moment.
            let readerDeadline = Date().addingTimeInterval(1)
            while !reader.isFinished, Date() < readerDeadline { usleep(10_000) }
        }
        let signalled = process.terminationReason == .uncaughtSignal
        return Result(exitStatus: stopReason == nil && !signalled ? process.terminationStatus : nil,
                      signal: signalled ? process.terminationStatus : nil, stopReason: stopReason,
                      tail: collected?.text ?? "", durationSeconds: Date().timeIntervalSince(started))
    }

    private func stop(_ process: Process) {
        let pid = process.processIdentifier
        if gracePeriod > 0 {
            Self.signal(pid, SIGTERM)
            let grace = Date().addingTimeInterval(gracePeriod)
            while process.isRunning, Date() < grace { usleep(20_000) }
            guard process.isRunning else { return }
        }
        Self.signal(pid, SIGKILL)
    }

    /// Signals the process group the program leads, or the program alone when it leads none.
    private static func signal(_ pid: Int32, _ number: Int32) {
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
