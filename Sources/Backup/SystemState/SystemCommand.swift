/// SystemCommand runs one collection command of the system state: the tool found on a fixed search path or recorded
/// as not present, standard output into a file, with a timeout and an output limit.
import FileIO
import Foundation
import Glibc

struct SystemCommand {
    var searchPath: [String]
    var timeout: TimeInterval
    var outputLimit: Int

    /// How one run ended.
    struct Outcome {
        var status: SystemStateManifest.Status
        var exitStatus: Int32?
        var message: String?
        /// What the command wrote to standard error (its end).
        var standardError = ""
    }

    /// The tool's absolute path on the search path, or nil when it is not installed.
    func locate(_ tool: String) -> String? {
        for directory in searchPath {
            let path = directory + "/" + tool
            if access(path, X_OK) == 0, !FileIO.isDirectory(path) { return path }
        }
        return nil
    }

    /// Runs `arguments` (the first is the tool's name) with standard output written to `outputPath`.
    func run(_ arguments: [String], outputPath: String) -> Outcome {
        guard let tool = arguments.first, let executable = locate(tool) else {
            return Outcome(status: .notPresent, message: "\(arguments.first ?? "the tool") is not installed")
        }
        let errorPath = outputPath + ".stderr"
        defer { try? FileIO.removeFile(errorPath) }
        let output: FileHandle, errors: FileHandle
        do {
            output = try Self.create(outputPath)
            errors = try Self.create(errorPath)
        } catch {
            return Outcome(status: .failed, message: "cannot create the output file: \(error)")
        }
        var child = ChildProcess(executable: executable, arguments: Array(arguments.dropFirst()),
                                 environment: ["PATH": searchPath.joined(separator: ":"), "LC_ALL": "C", "LANG": "C",
                                               "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"],
                                 standardOutput: .file(output), standardError: .file(errors), timeout: timeout)
        let limit = outputLimit
        child.stopWhen = { (try? FileIO.fileSize(outputPath)) ?? 0 > limit ? "wrote more than \(limit) bytes and was stopped" : nil }
        let result = child.run()
        if let failure = result.startFailure {
            return Outcome(status: .failed, message: failure)
        }
        let standardError = Self.tail(errorPath)
        if let stopped = result.stopReason {
            return Outcome(status: .failed, message: "\(tool) \(stopped)", standardError: standardError)
        }
        guard let status = result.exitStatus else {
            return Outcome(status: .failed, message: "\(tool) was killed by signal \(result.signal ?? 0)", standardError: standardError)
        }
        if status == 0 { return Outcome(status: .ok, exitStatus: 0, message: standardError.isEmpty ? nil : standardError, standardError: standardError) }
        return Outcome(status: .failed, exitStatus: status,
                       message: standardError.isEmpty ? "\(tool) exited with status \(status)" : standardError, standardError: standardError)
    }

    private static func create(_ path: String) throws -> FileHandle {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SystemError.current("create", path: path) }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// The last 2 KiB of a file, as text, trimmed.
    static func tail(_ path: String, limit: Int = 2048) -> String {
        guard let size = try? FileIO.fileSize(path), size > 0,
              let bytes = try? FileIO.readFile(path, range: max(0, size - limit)..<size) else { return "" }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
