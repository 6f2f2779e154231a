import Backup
import FileIO
import Foundation
import Testing

/// A scratch directory under /tmp, removed with everything in it when the value goes away.
final class TempDirectory {
    let path: String
    let name: [UInt8]

    init() throws {
        var template = Array("/tmp/haven-fs-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw SystemError.current("mkdtemp") }
        path = String(cString: template)
        name = Array(path.utf8.dropFirst("/tmp/".utf8.count))
    }

    deinit {
        if let tmp = try? Directory.open(path: "/tmp") { try? tmp.remove(name) }
    }

    func open() throws -> Directory { try Directory.open(path: path) }

    func path(_ components: String...) -> String { ([path] + components).joined(separator: "/") }
}

/// Test helpers on top of the API under test.
extension Directory {
    /// Creates (or truncates) `name` with `contents`.
    func write(_ name: String, _ contents: String) throws {
        let fd = try createFile(Array(name.utf8), exclusive: false)
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        #expect(Glibc.write(fd, bytes, bytes.count) == bytes.count)
    }

    func status(_ name: String) throws -> FileStatus { try status(of: Array(name.utf8)) }
}

/// The contents of the file at `path`, read with plain POSIX calls.
func contents(of path: String) throws -> String {
    let fd = try FileIO.call("open", path: path) { open(path, O_RDONLY) }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = try FileIO.call("read", path: path) { read(fd, &buffer, buffer.count) }
    return String(decoding: buffer.prefix(count), as: UTF8.self)
}

/// Runs a command from the acl/attr packages and returns its standard output; fails the test
/// when it exits non-zero.
@discardableResult
func run(_ arguments: String...) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(arguments.joined(separator: " ")) failed")
    return String(decoding: data, as: UTF8.self)
}

/// Expects `body` to throw a `SystemError` with `code`.
func expectSystemError(_ code: Int32, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected errno \(code) (\(String(cString: strerror(code)))), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as SystemError {
        #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected SystemError, got \(error)", sourceLocation: sourceLocation)
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
