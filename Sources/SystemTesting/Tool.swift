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
        process.standardOutput = output
        // Standard error goes to a file, read after the exit: a pipe for it could fill up while standard output is read.
        let errorPath = NSTemporaryDirectory() + "haven-tool-\(UUID().uuidString).err"
        guard FileManager.default.createFile(atPath: errorPath, contents: nil),
              let errors = FileHandle(forWritingAtPath: errorPath) else { throw ToolError("cannot create \(errorPath)") }
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        process.standardError = errors
        try process.run()
        let outputText = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try? errors.close()
        let errorText = String(decoding: FileManager.default.contents(atPath: errorPath) ?? Data(), as: UTF8.self)
        return (process.terminationStatus, outputText, errorText)
    }
}

/// A tool that failed, with what it said.
public struct ToolError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
