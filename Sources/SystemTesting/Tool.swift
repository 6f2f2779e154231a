/// Running the system's own tools (mount, mkfs, tar, setfattr, …) from tests, as separate processes.
import Foundation

public enum Tool {
    /// Runs `tool` and returns what it wrote to standard output; throws, with its standard error, when it exits with
    /// another status than 0.
    @discardableResult
    public static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let (status, output, errors) = try launch(tool, arguments)
        guard status == 0 else {
            throw ToolError("\(tool) \(arguments.joined(separator: " ")) exited with \(status): \(errors)")
        }
        return output
    }

    /// Runs `tool` and returns its exit status (standard output and error go where the test's go).
    public static func status(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Runs `tool` and returns what it wrote to standard output, whatever its exit status.
    public static func output(_ tool: String, _ arguments: [String]) throws -> String {
        try launch(tool, arguments).output
    }

    private static func launch(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Standard error is read on another thread, so neither pipe can fill up while the other is read.
        let errorText = Prefetched { String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        let outputText = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, outputText, errorText.value())
    }
}

/// A tool that failed, with what it said.
public struct ToolError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A string read on a thread of its own.
private final class Prefetched: @unchecked Sendable {
    // Safe: `text` is written once before `done` is signalled and read only after waiting for it.
    private var text = ""
    private let done = DispatchSemaphore(value: 0)

    init(_ read: @escaping @Sendable () -> String) {
        Thread { [self] in
            text = read()
            done.signal()
        }.start()
    }

    func value() -> String {
        done.wait()
        return text
    }
}
