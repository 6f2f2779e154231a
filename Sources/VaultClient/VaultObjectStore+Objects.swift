import Foundation
import HTTPClient
import ObjectStore
import VaultProtocol

/// The ObjectStore operations as vault API requests: HEAD, GET (whole and ranged), PUT with a lease, paged listing.
extension VaultObjectStore {
    /// Uploads `bytes` unless the vault has the object already (`data` objects of at least `resumeThreshold` bytes
    /// are looked up first). The vault verifies the hash and keeps nothing it refuses.
    public func put(_ key: ObjectKey, _ bytes: [UInt8]) throws(ObjectStoreError) {
        // The HEAD carries the lease, so the vault counts a pack found there as uploaded now and its garbage
        // collection spares it until this backup commits.
        if key.kind == .data, bytes.count >= options.resumeThreshold,
           let existing = try? head(key, lease: try lease.id()), existing.size == bytes.count {
            connection.count { $0.uploadsSkipped += 1 }
            return
        }
        var leaseRetried = false
        while true {
            var headers: [(name: String, value: String)] = [("Content-Type", "application/octet-stream")]
            let leaseID = Self.needsLease(key.kind) ? try lease.id() : nil
            if let leaseID { headers.append((VaultHeader.lease, leaseID)) }
            let response = try send("PUT", path(of: key), key: key, headers: headers, body: bytes, doing: "store")
            if response.status == 200 || response.status == 201 {
                connection.count { $0.objectsUploaded += 1 }
                return
            }
            // The lease ran out (the machine slept, say) or the vault forgot it: open a new one, once.
            let code = VaultConnection.errorDetail(of: response).code
            if let leaseID, !leaseRetried, code == "lease_expired" || code == "lease_required" {
                lease.expired(leaseID)
                leaseRetried = true
                continue
            }
            throw Self.failure(response, key: key, doing: "store")
        }
    }

    public func get(_ key: ObjectKey) throws(ObjectStoreError) -> [UInt8] {
        let response = try send("GET", path(of: key), key: key, doing: "read")
        guard response.status == 200 else { throw Self.failure(response, key: key, doing: "read") }
        return response.body
    }

    /// One `Range` request; an empty range is checked against the object's size without fetching anything.
    public func get(_ key: ObjectKey, range: Range<Int>) throws(ObjectStoreError) -> [UInt8] {
        guard range.lowerBound >= 0 else {
            throw ObjectStoreError(.rangeNotSatisfiable, key: key, message: "cannot read \(key) from offset \(range.lowerBound): offsets start at 0")
        }
        if range.isEmpty {
            let size = try head(key).size
            guard range.lowerBound <= size else {
                throw ObjectStoreError(.rangeNotSatisfiable, key: key, message: "\(key) holds \(size) bytes; offset \(range.lowerBound) is past its end")
            }
            return []
        }
        let response = try send("GET", path(of: key), key: key, headers: [("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")],
                                doing: "read")
        switch response.status {
        case 206 where response.body.count == range.count:
            return response.body
        case 200 where response.body.count >= range.upperBound:
            // A vault (or proxy) that ignores Range sends the whole object.
            return Array(response.body[range])
        case 200, 206:
            throw ObjectStoreError(.io, key: key, message: "the vault at \(connection.address) answered a read of bytes \(range) of \(key) "
                + "with \(response.body.count) bytes; try again, and check the vault if it persists")
        default:
            throw Self.failure(response, key: key, doing: "read bytes \(range.lowerBound)..<\(range.upperBound) of")
        }
    }

    public func head(_ key: ObjectKey) throws(ObjectStoreError) -> ObjectInfo {
        try head(key, lease: nil)
    }

    func head(_ key: ObjectKey, lease: String?) throws(ObjectStoreError) -> ObjectInfo {
        let response = try send("HEAD", path(of: key), key: key, headers: lease.map { [(VaultHeader.lease, $0)] } ?? [],
                                doing: "look up")
        guard response.status == 200 else { throw Self.failure(response, key: key, doing: "look up") }
        guard let size = response.header("Content-Length").flatMap(Int.init), size >= 0 else {
            throw ObjectStoreError(.io, key: key, message: "the vault at \(connection.address) answered a HEAD of \(key) without a size")
        }
        return ObjectInfo(key: key, size: size)
    }

    /// Every object of `kind`, page after page in name order; the config is looked up rather than listed.
    public func list(_ kind: ObjectKind) throws(ObjectStoreError) -> [ObjectInfo] {
        if kind == .config {
            do { return [try head(.config)] } catch where error.code == .notFound { return [] }
        }
        var result: [ObjectInfo] = []
        var after: String?
        repeat {
            let query = "?limit=\(min(max(options.listPageSize, 1), 1000))" + (after.map { "&after=\($0)" } ?? "")
            let response = try send("GET", "\(objectsPath)/\(kind.rawValue)\(query)", key: nil, doing: "list \(kind.rawValue) objects")
            guard response.status == 200 else { throw Self.failure(response, key: nil, doing: "list \(kind.rawValue) objects") }
            guard let page = Self.decode(ObjectListPage.self, from: response.body) else {
                throw ObjectStoreError(.io, message: "the vault at \(connection.address) answered a listing of \(kind.rawValue) objects "
                    + "with something that is not a listing")
            }
            for entry in page.objects where ObjectKey.isValid(entry.name, for: kind) {
                result.append(ObjectInfo(key: try ObjectKey(kind, entry.name), size: Int(entry.size)))
            }
            // Names ascend page after page; a `next` that does not move forward would loop forever.
            if let next = page.next, let previous = after, next <= previous {
                throw ObjectStoreError(.io, message: "the vault's listing of \(kind.rawValue) objects went back from \(previous) to \(next)")
            }
            after = page.next
        } while after != nil
        return result
    }

    /// Deletes a lock, or a key slot when `Options.securityPIN` is set; the vault refuses anything else.
    public func delete(_ key: ObjectKey) throws(ObjectStoreError) {
        var headers: [(name: String, value: String)] = []
        if key.kind == .keys, let pin = options.securityPIN { headers.append((VaultHeader.securityPIN, pin)) }
        let response = try send("DELETE", path(of: key), key: key, headers: headers, doing: "delete")
        guard response.status == 204 || response.status == 200 else {
            var error = Self.failure(response, key: key, doing: "delete")
            if key.kind == .keys, options.securityPIN == nil, error.code == .permissionDenied {
                error = ObjectStoreError(error.code, key: key, message: error.message
                    + "; removing a key slot from the vault needs a security PIN: generate one in the vault portal and pass it")
            }
            throw error
        }
    }

    /// A reader that fetches `readAhead` bytes at a time and serves the reads inside them from memory.
    public func openReader(_ key: ObjectKey) throws(ObjectStoreError) -> any ObjectReader {
        VaultObjectReader(store: self, key: key, size: try head(key).size, readAhead: options.readAhead)
    }

    public func commitRecoveryPoint(object: ObjectKey, item: BackupItem, time: String, size: Int64, retainUntil: String?,
                                    references: [ObjectKey]) throws(ObjectStoreError) {
        guard let wholeTime = RFC3339.wholeSeconds(time) else {
            throw ObjectStoreError(.io, key: object, message: "the recovery point's time \"\(time)\" is not RFC 3339 in UTC")
        }
        let retain = retainUntil.flatMap(RFC3339.wholeSeconds)
        if let retainUntil, retain == nil {
            throw ObjectStoreError(.io, key: object, message: "keep-until time \"\(retainUntil)\" is not RFC 3339 in UTC (2027-01-01T00:00:00Z)")
        }
        let request = CommitRecoveryPointRequest(
            object: object.name, item: BackupItemRef(kind: item.kind, name: item.name), time: wholeTime, size: size,
            retainUntil: retain, references: references.map(\.description))
        let body: [UInt8]
        do { body = Array(try JSONEncoder().encode(request)) } catch {
            throw ObjectStoreError(.io, key: object, message: "cannot encode the commit of \(object): \(error)")
        }
        let response = try send("POST", "/machines/\(ownMachineId)/recovery-points", key: object,
                                headers: [("Content-Type", "application/json")], body: body, doing: "commit recovery point")
        guard response.status == 200 || response.status == 201 else {
            var error = Self.failure(response, key: object, doing: "commit the recovery point")
            if VaultConnection.errorDetail(of: response).code == "missing_objects" {
                error = ObjectStoreError(.notFound, key: object, message: error.message
                    + "; the vault's garbage collection removed data this backup deduplicated against; "
                    + "run the backup again: it uploads what is missing")
            }
            throw error
        }
    }
}
