import FileIO
import Foundation
import Testing

/// A fresh directory under /tmp for one test, removed with everything in it when the test drops it.
final class ScratchDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/haven-fileio-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SystemError.current("mkdtemp") }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileIO.removeTree(path) }
}

/// A 1 MiB tmpfs mounted for one test, so "disk full" can be produced on demand. Needs root.
final class SmallFilesystem {
    let scratch: ScratchDirectory
    var path: String { scratch.path }

    /// Returns nil, after recording an Issue that says why, when the filesystem cannot be mounted.
    static func mount(sizeKiB: Int = 1024) throws -> SmallFilesystem? {
        let scratch = try ScratchDirectory()
        let status = run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(sizeKiB)k", "tmpfs", scratch.path])
        guard status == 0 else {
            Issue.record("cannot mount a small tmpfs (mount exited \(status), running as uid \(getuid())); run the tests as root to check disk-full handling")
            return nil
        }
        return SmallFilesystem(scratch)
    }

    private init(_ scratch: ScratchDirectory) { self.scratch = scratch }

    deinit { _ = Self.run("/bin/umount", [scratch.path]) }

    private static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Expects `body` to throw a SystemError with `code`, and returns it for further checks.
@discardableResult
func expectSystemError(_ code: Int32, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> SystemError? {
    do {
        try body()
        Issue.record("expected errno \(code), but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as SystemError {
        #expect(error.code == code, "expected errno \(code), got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected SystemError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// The names in `directory` that look like temporary files left by an atomic write.
func temporaryNames(in directory: String) throws -> [String] {
    try FileIO.listDirectory(directory).filter { $0.hasPrefix(".tmp-") }
}
