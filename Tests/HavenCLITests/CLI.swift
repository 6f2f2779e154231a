import FileIO
import Foundation
import Glibc

/// Runs the real `haven` binary, built next to this test bundle, as a separate process.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The binary beside the test executable (same build configuration), or $HAVEN_BIN.
    static let binary: String = {
        if let override = ProcessInfo.processInfo.environment["HAVEN_BIN"] { return override }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = n > 0 ? String(cString: buffer) : CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("haven").path
    }()

    var environment: [String: String]
    /// A command that runs the binary, e.g. to drop privileges (`setpriv ... --`).
    var wrapper: [String] = []

    init(repository: String, password: String = "a passphrase of at least sixteen") {
        var env = ProcessInfo.processInfo.environment
        env["HAVEN_REPOSITORY"] = repository
        env["HAVEN_PASSWORD"] = password
        // The cache folder beside the repository, inside the test's temporary folder, never the user's own.
        env["XDG_CACHE_HOME"] = repository + "-cache"
        environment = env
    }

    @discardableResult
    func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrapper.first ?? CLI.binary)
        process.arguments = wrapper.isEmpty ? arguments : Array(wrapper.dropFirst()) + [CLI.binary] + arguments
        process.environment = environment.merging(extra) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts `haven` without waiting, for tests that kill it.
    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func json(_ text: String) -> Any? {
        guard let line = text.split(separator: "\n").last else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(line.utf8))
    }
}

/// A temporary directory, removed when released.
final class TempDir {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "haven-cli-test-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        try FileIO.makeDirectories(path)
    }

    deinit { try? FileIO.removeTree(path) }

    func sub(_ name: String) -> String { path + "/" + name }
}

/// Writes a tree of `files` small text files and a few larger ones under `root`.
func makeTree(at root: String, files: Int, seed: UInt64 = 1) throws {
    var state = seed
    func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state
    }
    for i in 0..<files {
        let dir = root + "/dir-\(i % 17)"
        try FileIO.makeDirectories(dir)
        let length = Int(next() % 20_000)
        var bytes = [UInt8](repeating: 0, count: length)
        for j in 0..<length { bytes[j] = UInt8(truncatingIfNeeded: (next() >> 33) % 64 + 32) }
        try FileIO.writeFileAtomically(dir + "/file-\(i).txt", bytes, durable: false)
    }
    for i in 0..<3 {
        var bytes = [UInt8](repeating: 0, count: 3_000_000)
        for j in stride(from: 0, to: bytes.count, by: 8) {
            let v = next()
            for k in 0..<8 where j + k < bytes.count { bytes[j + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) }
        }
        try FileIO.writeFileAtomically(root + "/big-\(i).bin", bytes, durable: false)
    }
}
