#if canImport(Glibc)
import Glibc
#endif
import Repository

/// File names as raw bytes: the printable form used in messages and the C strings handed to *at calls.
///
/// Linux names are byte strings that need not be UTF-8, so Haven never turns a name into a `String`
/// except to show it to a person.
public enum FileName {
    /// A form of `name` safe to print: valid UTF-8 stays readable, control characters, backslashes,
    /// quotes and bytes that are not UTF-8 become `\xNN`, so two different names never print the same.
    public static func printable(_ name: [UInt8]) -> String { Node.display(name) }

    /// `directory/name` for messages; never used to reach a file.
    static func joined(_ directory: [UInt8], _ name: [UInt8]) -> [UInt8] {
        if directory.isEmpty { return name }
        if directory.last == UInt8(ascii: "/") { return directory + name }
        return directory + [UInt8(ascii: "/")] + name
    }
}

/// Runs `body` with `name` as a NUL-terminated C string on the stack, without a heap allocation
/// (status is called once per file of trees with millions of files).
@inline(__always) @discardableResult
func withCName<R, E: Error>(_ name: [UInt8], _ body: (UnsafePointer<CChar>) throws(E) -> R) throws(E) -> R {
    try withUnsafeTemporaryAllocation(of: CChar.self, capacity: name.count + 1) { (buffer) throws(E) -> R in
        name.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
        buffer[name.count] = 0
        return try body(UnsafePointer(buffer.baseAddress!))
    }
}
