import ObjectStore

/// One vault object opened for many ranged reads: each request fetches a window of at least `readAhead` bytes,
/// and reads that fall inside the window are answered from memory.
///
/// Not thread-safe, like every ObjectReader: one reader belongs to one blob reader.
final class VaultObjectReader: ObjectReader {
    private let store: VaultObjectStore
    private let key: ObjectKey
    private let size: Int
    private let readAhead: Int
    private var window: [UInt8] = []
    private var windowStart = 0

    init(store: VaultObjectStore, key: ObjectKey, size: Int, readAhead: Int) {
        self.store = store
        self.key = key
        self.size = size
        self.readAhead = max(readAhead, 0)
    }

    func read(_ range: Range<Int>) throws -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw ObjectStoreError(.rangeNotSatisfiable, key: key, message: "\(key) has \(size) bytes; the range \(range) is not inside it")
        }
        if range.isEmpty { return [] }
        if range.lowerBound >= windowStart, range.upperBound <= windowStart + window.count {
            return Array(window[(range.lowerBound - windowStart)..<(range.upperBound - windowStart)])
        }
        let fetched = range.lowerBound..<min(size, max(range.upperBound, range.lowerBound + readAhead))
        window = try store.get(key, range: fetched)
        windowStart = fetched.lowerBound
        return Array(window[0..<range.count])
    }
}
