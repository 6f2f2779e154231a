#if canImport(Glibc)
import Glibc
#endif
import Crypto
import FileIO

/// The ObjectStore operations on files: verify, write to tmp/, fsync, link into place, fsync the directory.
extension FilesystemStore {
    /// Stores `bytes` under `key` following the protocol's rules.
    ///
    /// The temporary file is published with link(2), which fails if the name is taken, so concurrent puts
    /// of one key never replace each other's file. On filesystems without hard links it falls back to rename(2).
    public func put(_ key: ObjectKey, _ bytes: [UInt8]) throws(ObjectStoreError) {
        if key.kind.isContentAddressed {
            let actual = hasher(bytes)
            guard actual == key.name else {
                throw ObjectStoreError(
                    .hashMismatch, key: key,
                    message: "refused to store \(key): its content hashes to \(actual); "
                        + "the data was damaged on the way or named wrongly, and nothing was stored"
                )
            }
        }
        let path = path(for: key)
        if FileIO.exists(path) {
            try acceptExisting(key, bytes, at: path)
            return
        }
        let temporary: String
        do throws(SystemError) {
            temporary = try FileIO.writeTemporaryFile(in: temporaryDirectory, bytes, mode: Self.fileMode)
        } catch {
            throw storeError(error, key: key, doing: "write")
        }
        // The object lives on under its final name; the temporary name goes whatever happens.
        defer { unlink(temporary) }
        do throws(SystemError) {
            try FileIO.link(temporary, to: path)
        } catch where error.isExists {
            try acceptExisting(key, bytes, at: path)
            return
        } catch where Self.linkIsUnsupported(error) {
            do throws(SystemError) { try FileIO.rename(temporary, to: path) } catch {
                throw storeError(error, key: key, doing: "write")
            }
        } catch {
            throw storeError(error, key: key, doing: "write")
        }
        try syncDirectory(of: path, key: key)
    }

    public var stagingDirectory: String? { temporaryDirectory }

    /// Takes a file staged in `stagingDirectory` without copying it: hash it while reading it once, fsync it,
    /// and link it into place. Anything else (another directory, a config) goes through `put(_:_:)`.
    public func put(_ key: ObjectKey, fileAt file: String) throws(ObjectStoreError) {
        guard key.kind.isContentAddressed, FileIO.parentDirectory(of: file) == temporaryDirectory else {
            defer { unlink(file) }
            let bytes: [UInt8]
            do throws(SystemError) { bytes = try FileIO.readFile(file) } catch { throw storeError(error, key: key, doing: "read the staged file for") }
            try put(key, bytes)
            return
        }
        defer { unlink(file) }
        let actual: String
        do throws(SystemError) { actual = try Self.hashAndSync(file) } catch { throw storeError(error, key: key, doing: "write") }
        guard actual == key.name else {
            throw ObjectStoreError(
                .hashMismatch, key: key,
                message: "refused to store \(key): its content hashes to \(actual); "
                    + "the data was damaged on the way or named wrongly, and nothing was stored")
        }
        try publish(file, as: key)
    }

    /// Links a durable staged file into place as the content-addressed object `key` (the caller removes the file).
    private func publish(_ file: String, as key: ObjectKey) throws(ObjectStoreError) {
        let path = path(for: key)
        do throws(SystemError) {
            try FileIO.link(file, to: path)
        } catch where error.isExists {
            // Same name, same content (it is content-addressed): the object is there already.
            return
        } catch where Self.linkIsUnsupported(error) {
            do throws(SystemError) { try FileIO.rename(file, to: path) } catch { throw storeError(error, key: key, doing: "write") }
        } catch {
            throw storeError(error, key: key, doing: "write")
        }
        try syncDirectory(of: path, key: key)
    }

    /// Takes a file staged in `stagingDirectory` as it is, naming it while it is read once to be hashed; anything
    /// else goes through the protocol's default, which reads it into memory.
    public func put(_ kind: ObjectKind, namingFileAt file: String) throws(ObjectStoreError) -> String {
        guard FileIO.parentDirectory(of: file) == temporaryDirectory else {
            do { return try readAndPut(kind, namingFileAt: file) } catch let error as ObjectStoreError { throw error } catch {
                throw ObjectStoreError(.io, message: "cannot store the file \(file): \(error)")
            }
        }
        defer { unlink(file) }
        try ObjectKey.requireContentAddressed(kind, forFileAt: file)
        let name: String
        do throws(SystemError) { name = try Self.hashAndSync(file) } catch {
            throw ObjectStoreError(.io, message: "cannot store the file \(file) as a \(kind.rawValue) object: \(error)")
        }
        try publish(file, as: ObjectKey(kind, name))
        return name
    }

    /// The lowercase hex SHA-256 of a file, read in 1 MiB pieces, after making it durable.
    private static func hashAndSync(_ path: String) throws(SystemError) -> String {
        let fd = try FileIO.call("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        try FileIO.call("fsync", path: path) { fsync(fd) }
        let hasher = SHA256Hasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        var offset = 0
        while true {
            let count = try FileIO.preadAll(fd: fd, into: buffer, offset: offset, path: path)
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            offset += count
        }
        return Hex.encode(hasher.finalize())
    }

    /// Keeps the object's file open: each read is one pread, with no path to resolve.
    public func openReader(_ key: ObjectKey) throws(ObjectStoreError) -> any ObjectReader {
        let path = path(for: key)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw storeError(SystemError.current("open", path: path), key: key, doing: "read") }
        return FileObjectReader(store: self, key: key, fd: fd, path: path)
    }

    public func get(_ key: ObjectKey) throws(ObjectStoreError) -> [UInt8] {
        do throws(SystemError) {
            return try FileIO.readFile(path(for: key))
        } catch {
            throw storeError(error, key: key, doing: "read")
        }
    }

    public func get(_ key: ObjectKey, range: Range<Int>) throws(ObjectStoreError) -> [UInt8] {
        let path = path(for: key)
        let fd: Int32
        do throws(SystemError) { fd = try FileIO.openForReading(path) } catch {
            throw storeError(error, key: key, doing: "read")
        }
        defer { close(fd) }
        let size: Int
        do throws(SystemError) { size = try FileIO.status(fd: fd, path: path).size } catch {
            throw storeError(error, key: key, doing: "read")
        }
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw ObjectStoreError(
                .rangeNotSatisfiable, key: key,
                message: "cannot read bytes \(range.lowerBound)..<\(range.upperBound) of \(key): it holds \(size) bytes"
            )
        }
        let bytes: [UInt8]
        do throws(SystemError) {
            bytes = try FileIO.readUpTo(fd: fd, count: range.count, offset: range.lowerBound, path: path)
        } catch {
            throw storeError(error, key: key, doing: "read")
        }
        guard bytes.count == range.count else {
            throw ObjectStoreError(.io, key: key, message: "\(path) became shorter while being read; objects must never change")
        }
        return bytes
    }

    public func head(_ key: ObjectKey) throws(ObjectStoreError) -> ObjectInfo {
        do throws(SystemError) {
            return ObjectInfo(key: key, size: try FileIO.fileSize(path(for: key)))
        } catch {
            throw storeError(error, key: key, doing: "inspect")
        }
    }

    public func list(_ kind: ObjectKind) throws(ObjectStoreError) -> [ObjectInfo] {
        if kind == .config {
            return FileIO.exists(path(for: .config)) ? [try head(.config)] : []
        }
        let directories = kind == .data
            ? Self.layoutDirectories(root).filter { $0.hasPrefix(root + "/data/") }
            : [root + "/" + kind.rawValue]
        var result: [ObjectInfo] = []
        for directory in directories {
            let names: [String]
            do throws(SystemError) { names = try FileIO.listDirectory(directory) } catch {
                throw storeError(error, key: nil, doing: "list")
            }
            let prefix = kind == .data ? String(directory.suffix(2)) : ""
            for name in names where name.hasPrefix(prefix) {
                guard let key = try? ObjectKey(kind, name) else { continue }
                do throws(SystemError) {
                    result.append(ObjectInfo(key: key, size: try FileIO.fileSize(directory + "/" + name)))
                } catch where error.isNotFound {
                    continue  // deleted while we listed: it is simply not there any more
                } catch {
                    throw storeError(error, key: key, doing: "inspect")
                }
            }
        }
        return result
    }

    public func delete(_ key: ObjectKey) throws(ObjectStoreError) {
        let path = path(for: key)
        do throws(SystemError) { try FileIO.removeFile(path) } catch {
            throw storeError(error, key: key, doing: "delete")
        }
        try syncDirectory(of: path, key: key)
    }

    /// An object already exists under `key`: fine for content-addressed kinds and locks (write-once, idempotent),
    /// fine for config only if the content is the same.
    private func acceptExisting(_ key: ObjectKey, _ bytes: [UInt8], at path: String) throws(ObjectStoreError) {
        if key.kind == .config {
            let existing = try get(key)
            guard existing == bytes else {
                throw ObjectStoreError(
                    .alreadyExists, key: key,
                    message: "the repository at \(root) already has a different config; "
                        + "a config is written once, so open the existing repository instead of creating a new one"
                )
            }
        }
        // Another writer may have linked the file but not yet synced the directory; make sure it is durable.
        try syncDirectory(of: path, key: key)
    }

    private func syncDirectory(of path: String, key: ObjectKey) throws(ObjectStoreError) {
        do throws(SystemError) { try FileIO.syncDirectory(FileIO.parentDirectory(of: path)) } catch {
            throw storeError(error, key: key, doing: "sync the directory of")
        }
    }

    /// Errors with which link(2) says the filesystem has no hard links (FAT, exFAT, some network filesystems).
    private static func linkIsUnsupported(_ error: SystemError) -> Bool {
        error.code == EPERM || error.code == EOPNOTSUPP || error.code == EMLINK
    }
}

/// An object file held open for ranged reads; closed when released.
final class FileObjectReader: ObjectReader {
    let store: FilesystemStore
    let key: ObjectKey
    let fd: Int32
    let path: String
    let size: Int

    init(store: FilesystemStore, key: ObjectKey, fd: Int32, path: String) {
        self.store = store
        self.key = key
        self.fd = fd
        self.path = path
        var status = stat()
        size = fstat(fd, &status) == 0 ? Int(status.st_size) : 0
    }

    deinit { close(fd) }

    func read(_ range: Range<Int>) throws -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw ObjectStoreError(.rangeNotSatisfiable, key: key,
                                   message: "\(key) has \(size) bytes; the range \(range) is not inside it")
        }
        let fd = self.fd, path = self.path
        return try [UInt8](unsafeUninitializedCapacity: range.count) { buffer, initialized in
            let count = try FileIO.preadAll(fd: fd, into: UnsafeMutableRawBufferPointer(buffer), offset: range.lowerBound, path: path)
            guard count == range.count else {
                throw ObjectStoreError(.io, key: key, message: "\(key) ended early: read \(count) of \(range.count) bytes")
            }
            initialized = count
        }
    }
}
