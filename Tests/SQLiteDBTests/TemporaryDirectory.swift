/// A scratch directory per test, removed when the test ends.
import Foundation

final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        var template = Array("\(NSTemporaryDirectory())/sqlitedb-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
