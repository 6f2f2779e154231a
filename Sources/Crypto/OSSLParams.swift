// OSSLParams owns building OpenSSL 3 parameter arrays (OSSL_PARAM) from Swift values for one call.
import COpenSSL

/// One `OSSL_PARAM` entry, described in Swift and turned into C only for the duration of a call.
///
/// Names are `StaticString`s, whose bytes live in the binary for the life of the process, so the
/// `OSSL_PARAM` array may point at them safely.
enum OSSLParams {
    case utf8(StaticString, StaticString)
    case octets(StaticString, UnsafeRawBufferPointer)
    case uint64(StaticString, UInt64)

    /// Calls `body` with a terminated `OSSL_PARAM` array; the array and the integers it points to
    /// exist only inside `body`. Octet buffers must outlive the call, which the caller's scope ensures.
    static func with<R>(_ entries: [OSSLParams], _ body: (UnsafePointer<OSSL_PARAM>) throws -> R) rethrows -> R {
        var integers = [UInt64](repeating: 0, count: entries.count)
        return try integers.withUnsafeMutableBufferPointer { integers in
            var params: [OSSL_PARAM] = []
            params.reserveCapacity(entries.count + 1)
            for (index, entry) in entries.enumerated() {
                switch entry {
                case .utf8(let name, let value):
                    params.append(OSSL_PARAM_construct_utf8_string(name.cString, UnsafeMutablePointer(mutating: value.cString), 0))
                case .octets(let name, let value):
                    params.append(OSSL_PARAM_construct_octet_string(name.cString, UnsafeMutableRawPointer(mutating: value.nonNullBase), value.count))
                case .uint64(let name, let value):
                    integers[index] = value
                    params.append(OSSL_PARAM_construct_uint64(name.cString, integers.baseAddress! + index))
                }
            }
            params.append(OSSL_PARAM_construct_end())
            return try params.withUnsafeBufferPointer { try body($0.baseAddress!) }
        }
    }
}

extension StaticString {
    /// The literal's NUL-terminated bytes as a C string; valid for the whole process.
    var cString: UnsafePointer<CChar> {
        UnsafeRawPointer(utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
