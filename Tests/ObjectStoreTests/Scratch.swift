import FileIO
import Foundation
import ObjectStore
import ObjectStoreTesting
import Testing

/// A fresh directory under /tmp for one test, removed with everything in it when the test drops it.
final class ScratchDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/haven-store-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SystemError.current("mkdtemp") }
        path = String(cString: made)
    }

    deinit { try? FileIO.removeTree(path) }
}

/// A small tmpfs mounted for one test, to produce a full or read-only disk on demand. Needs root.
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

    /// Remounts read-only, so every write fails with EROFS.
    func makeReadOnly() -> Bool {
        Self.run("/bin/mount", ["-o", "remount,ro", scratch.path]) == 0
    }

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

/// Expects `body` to throw an ObjectStoreError with `code`, and returns it for further checks.
@discardableResult
func expectStoreError(
    _ code: ObjectStoreError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> ObjectStoreError? {
    do {
        try body()
        Issue.record("expected \(code), but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as ObjectStoreError {
        #expect(error.code == code, "expected \(code), got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected ObjectStoreError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// The content-addressed key of `bytes`.
func dataKey(_ bytes: [UInt8]) throws -> ObjectKey {
    try ObjectKey(.data, ReferenceSHA256.hex(bytes))
}
