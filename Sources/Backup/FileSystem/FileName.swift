#if canImport(Glibc)
import Glibc
#endif

/// File names as raw bytes: the printable form used in messages and the C strings handed to *at calls.
///
/// Linux names are byte strings that need not be UTF-8, so Haven never turns a name into a `String`
/// except to show it to a person.
public enum FileName {
    /// A form of `name` safe to print: valid UTF-8 stays readable, control characters, backslashes,
    /// quotes and bytes that are not UTF-8 become `\xNN`, so two different names never print the same.
    public static func printable(_ name: [UInt8]) -> String {
        var result = ""
        result.reserveCapacity(name.count)
        if let text = String(validating: name, as: UTF8.self) {
            for scalar in text.unicodeScalars {
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\\" || scalar == "\"" {
                    result += escaped(UInt8(scalar.value))
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        } else {
            for byte in name {
                if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\"), byte != UInt8(ascii: "\"") {
                    result.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    result += escaped(byte)
                }
            }
        }
        return result
    }

    /// `directory/name` for messages; never used to reach a file.
    static func joined(_ directory: [UInt8], _ name: [UInt8]) -> [UInt8] {
        if directory.isEmpty { return name }
        if directory.last == UInt8(ascii: "/") { return directory + name }
        return directory + [UInt8(ascii: "/")] + name
    }

    private static func escaped(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".unicodeScalars)
        var text = "\\x"
        text.unicodeScalars.append(digits[Int(byte >> 4)])
        text.unicodeScalars.append(digits[Int(byte & 0x0F)])
        return text
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
