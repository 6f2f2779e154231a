/// DirectoryListing is one directory as a backup sees it: its entries sorted bytewise, each with the status change
/// detection needs (statx) and a symlink's target, read with getdents64 into a reusable buffer.
#if canImport(Glibc)
import Glibc
#endif
import FileIO

struct DirectoryListing: Sendable {
    /// One entry; plain values only, so sorting moves no reference counts.
    struct Entry: Sendable {
        /// Where the name lies in `names`.
        var nameStart: Int
        var nameCount: Int
        /// Nil when it could not be read; `details` says why.
        var status: FileStatus?
        /// The index of this entry's detail in `details`, or -1.
        var detail: Int32
    }

    /// What few entries carry beyond their status.
    enum Detail: Sendable {
        case linkTarget([UInt8])
        case linkFailed(SystemError)
        case statusFailed(SystemError)
    }

    private(set) var entries: [Entry] = []
    /// Every name back to back: one buffer per directory rather than one per entry.
    private(set) var names: [UInt8] = []
    private var details: [Detail] = []

    var count: Int { entries.count }

    func status(at index: Int) -> FileStatus? { entries[index].status }

    /// The name as its own array, for a node that needs one.
    func name(at index: Int) -> [UInt8] {
        let entry = entries[index]
        return Array(names[entry.nameStart..<entry.nameStart + entry.nameCount])
    }

    /// Compares the name at `index` with `other` bytewise, like `lexicographicallyPrecedes`: < 0, 0 or > 0.
    func compareName(at index: Int, with other: [UInt8]) -> Int {
        let entry = entries[index]
        return names.withUnsafeBufferPointer { arena in
            other.withUnsafeBufferPointer { theirs in
                let common = min(entry.nameCount, theirs.count)
                let order = common == 0 ? 0 : memcmp(arena.baseAddress! + entry.nameStart, theirs.baseAddress!, common)
                return order != 0 ? Int(order) : entry.nameCount - theirs.count
            }
        }
    }

    /// Why the entry's status could not be read (when `status(at:)` is nil).
    func statusFailure(at index: Int) -> SystemError? {
        guard entries[index].detail >= 0, case .statusFailed(let error) = details[Int(entries[index].detail)] else { return nil }
        return error
    }

    /// A symlink's target as read while listing, or why it could not be; nil for any other entry.
    func linkTarget(at index: Int) -> Result<[UInt8], SystemError>? {
        guard entries[index].detail >= 0 else { return nil }
        switch details[Int(entries[index].detail)] {
        case .linkTarget(let target): return .success(target)
        case .linkFailed(let error): return .failure(error)
        case .statusFailed: return nil
        }
    }

    /// Lists `directory` (whose recorded path is `path`), leaving out what `excludes` excludes without looking at it.
    ///
    /// Reads the directory's own file position from the start, so one `Directory` must not be listed by two threads
    /// at once. Falls back to readdir and fstatat on a libc without getdents64 or statx.
    static func list(_ directory: borrowing Directory, path: [UInt8], excludes: ExcludeMatcher,
                     buffer: ListingBuffer) -> Result<DirectoryListing, SystemError> {
        var listing = DirectoryListing()
        do {
            if let getdents64 = ListingCalls.getdents64, let statx = ListingCalls.statx {
                try listing.read(directory, path: path, excludes: excludes, buffer: buffer, getdents64: getdents64, statx: statx)
            } else {
                for name in try directory.entries() where !Self.excluded(name, in: path, by: excludes) {
                    let status: Result<FileStatus, SystemError>
                    do { status = .success(try directory.status(of: name)) } catch { status = .failure(error) }
                    listing.append(name, status: status, directory: directory)
                }
            }
        } catch {
            return .failure(error)
        }
        listing.sort()
        return .success(listing)
    }

    private mutating func read(_ directory: borrowing Directory, path: [UInt8], excludes: ExcludeMatcher, buffer: ListingBuffer,
                               getdents64: ListingCalls.GetDents, statx: ListingCalls.Statx) throws(SystemError) {
        let fd = directory.fd
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw SystemError.current("lseek", path: FileName.printable(directory.path)) }
        while true {
            let filled = getdents64(fd, buffer.records, ListingBuffer.recordsSize)
            if filled == 0 { return }
            if filled < 0 {
                if errno == EINTR { continue }
                throw SystemError.current("getdents64", path: FileName.printable(directory.path))
            }
            var offset = 0
            while offset < filled {
                let record = buffer.records + offset
                offset += Int(record.loadUnaligned(fromByteOffset: ListingCalls.recordLengthOffset, as: UInt16.self))
                let cName = UnsafePointer((record + ListingCalls.nameOffset).assumingMemoryBound(to: CChar.self))
                let length = strlen(cName)
                let name = UnsafeRawBufferPointer(start: cName, count: length)
                if length <= 2, name.allSatisfy({ $0 == UInt8(ascii: ".") }) { continue }
                if !excludes.isEmpty, Self.excluded(Array(name), in: path, by: excludes) { continue }
                var status: Result<FileStatus, SystemError>
                if statx(fd, cName, ListingCalls.statxFlags, ListingCalls.statxFields, buffer.statx) == 0,
                   let found = FileStatus(statx: buffer.statx) {
                    status = .success(found)
                } else {
                    // statx failed or left a field out: fstatat says why, or reads what statx could not.
                    do { status = .success(try directory.status(of: Array(name))) } catch { status = .failure(error) }
                }
                let start = names.count
                names.append(contentsOf: name)
                append(start: start, count: length, status: status, directory: directory, cName: cName, buffer: buffer)
            }
        }
    }

    private mutating func append(_ name: [UInt8], status: Result<FileStatus, SystemError>, directory: borrowing Directory) {
        let start = names.count
        names.append(contentsOf: name)
        withCName(name) { cName in
            append(start: start, count: name.count, status: status, directory: directory, cName: cName, buffer: nil)
        }
    }

    /// Records the entry whose name was just appended to `names`, reading a symlink's target.
    private mutating func append(start: Int, count: Int, status: Result<FileStatus, SystemError>,
                                 directory: borrowing Directory, cName: UnsafePointer<CChar>, buffer: ListingBuffer?) {
        var entry = Entry(nameStart: start, nameCount: count, status: nil, detail: -1)
        switch status {
        case .success(let found):
            entry.status = found
            if found.kind == .symlink {
                details.append(Self.readLink(directory, cName: cName, name: Array(names[start..<start + count]), buffer: buffer))
                entry.detail = Int32(details.count - 1)
            }
        case .failure(let error):
            details.append(.statusFailed(error))
            entry.detail = Int32(details.count - 1)
        }
        entries.append(entry)
    }

    private static func readLink(_ directory: borrowing Directory, cName: UnsafePointer<CChar>, name: [UInt8],
                                 buffer: ListingBuffer?) -> Detail {
        if let buffer {
            let count = readlinkat(directory.fd, cName, buffer.link, ListingBuffer.linkSize)
            // A target that fills the buffer may have been cut short: Directory.readLink retries larger.
            if count >= 0 && count < ListingBuffer.linkSize {
                return .linkTarget(Array(UnsafeRawBufferPointer(start: buffer.link, count: count)))
            }
        }
        do { return .linkTarget(try directory.readLink(name)) } catch { return .linkFailed(error) }
    }

    private static func excluded(_ name: [UInt8], in path: [UInt8], by excludes: ExcludeMatcher) -> Bool {
        !excludes.isEmpty && excludes.excludes(path: path + [UInt8(ascii: "/")] + name, name: name)
    }

    private mutating func sort() {
        guard entries.count > 1 else { return }
        // Sorting small indices and placing each entry once moves far less than sorting the entries themselves.
        let order: [Int32] = names.withUnsafeBufferPointer { arena in
            guard let base = arena.baseAddress else { return [] }
            return entries.withUnsafeBufferPointer { entries in
                (0..<Int32(entries.count)).sorted { left, right in
                    let a = entries[Int(left)], b = entries[Int(right)]
                    let order = memcmp(base + a.nameStart, base + b.nameStart, min(a.nameCount, b.nameCount))
                    return order != 0 ? order < 0 : a.nameCount < b.nameCount
                }
            }
        }
        guard order.count == entries.count else { return }
        entries = order.map { entries[Int($0)] }
    }
}

/// One thread's scratch memory for listing: getdents64 records, a statx result, a symlink target. Allocated once per
/// thread and reused for every directory it lists; not `Sendable`.
final class ListingBuffer {
    static let recordsSize = 64 << 10
    static let linkSize = 4096
    let records = UnsafeMutableRawPointer.allocate(byteCount: recordsSize, alignment: 8)
    let statx = UnsafeMutableRawPointer.allocate(byteCount: ListingCalls.statxSize, alignment: 8)
    let link = UnsafeMutableRawPointer.allocate(byteCount: linkSize, alignment: 8).assumingMemoryBound(to: CChar.self)

    deinit {
        records.deallocate()
        statx.deallocate()
        link.deallocate()
    }
}
