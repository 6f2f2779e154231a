import Foundation
import Glibc
import HTTPClient
import ObjectStore
import VaultProtocol

/// The objects of one machine of a vault, as an ObjectStore over the vault API (docs/vault-api.md, *Objects*).
///
/// Reads work on any machine of the caller's vault (restoring another server); writes only on the caller's own.
/// Uploads that need one carry an upload lease, managed here (`UploadLease`); `close()` releases it.
/// Every failure is an `ObjectStoreError` carrying the vault's message. Thread-safe: uploads may run on many
/// threads at once over the connection's pool of keep-alive connections.
///
/// Differences from the filesystem store, by the vault's rules: deleting anything but a lock (or a key slot with
/// a security PIN) is refused with `permissionDenied`, and listing `recovery-points` shows committed points only.
public final class VaultObjectStore: RecoveryPointCommitting, Sendable {
    /// Tunables of the store.
    public struct Options: Sendable {
        /// The lease asked for, in seconds (60 to 86400); it is renewed when half of it has passed.
        public var leaseSeconds = 3600
        /// A `data` object at least this large is looked up first and not sent when the vault has it already
        /// (resuming an interrupted backup costs a request per pack, not the pack).
        public var resumeThreshold = 64 << 10
        /// Packs a backup uploads at once: a network round trip per pack would otherwise leave the link idle.
        public var parallelUploads = 4
        /// A ranged read fetches at least this much, so reading blob after blob of one pack costs few requests.
        public var readAhead = 2 << 20
        /// Objects per page of a listing (1 to 1000, the vault's maximum).
        public var listPageSize = 1000
        /// A security PIN from the vault portal, sent when deleting a key slot (changing the passphrase).
        public var securityPIN: String?
        /// Monotonic seconds, for the lease's renewal; tests move it by hand.
        public var now: @Sendable () -> Double = VaultObjectStore.monotonicSeconds

        public init() {}
    }

    /// Whose objects this store reads (and, when it is the caller, writes).
    public let machineId: String
    /// The machine the credential belongs to: the one whose lease is used and whose recovery points are committed.
    public let ownMachineId: String
    public let connection: VaultConnection
    let options: Options
    let lease: UploadLease

    /// - Parameters:
    ///   - connection: a connection authenticated as `ownMachineId`.
    ///   - machineId: whose objects to read; the caller's own by default.
    public init(connection: VaultConnection, ownMachineId: String, machineId: String? = nil, options: Options = Options()) {
        self.connection = connection
        self.ownMachineId = ownMachineId
        self.machineId = machineId ?? ownMachineId
        self.options = options
        lease = UploadLease(connection: connection, machineId: ownMachineId, seconds: options.leaseSeconds, now: options.now)
    }

    /// What the store's connection sent and received, uploads skipped included.
    public var statistics: VaultTransferStatistics { connection.statistics }

    public var parallelUploads: Int { options.parallelUploads }

    /// The upload lease currently held, if any.
    public var leaseID: String? { lease.currentID }

    /// Releases the upload lease, if one is open. Call when the backup (or any writing) is done; a store that
    /// is not closed leaves its lease to expire by itself.
    public func close() throws { try lease.release() }

    /// The monotonic clock, the default of `Options.now`.
    public static let monotonicSeconds: @Sendable () -> Double = {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    var objectsPath: String { "/machines/\(machineId)/objects" }

    func path(of key: ObjectKey) -> String { "\(objectsPath)/\(key.kind.rawValue)/\(key.name)" }

    static func needsLease(_ kind: ObjectKind) -> Bool { kind != .config && kind != .locks }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) -> T? {
        try? JSONDecoder().decode(type, from: Data(bytes))
    }

    /// Sends one request about objects; a transport failure (after the retries) becomes `unavailable`.
    func send(_ method: String, _ path: String, key: ObjectKey?, headers: [(name: String, value: String)] = [],
              body: [UInt8] = [], doing action: String) throws(ObjectStoreError) -> Client.Response {
        try lease.renewIfDue()
        do { return try connection.send(method, path, headers: headers, body: body) } catch {
            throw ObjectStoreError(
                .unavailable, key: key,
                message: "cannot reach the vault at \(connection.address) to \(action)\(key.map { " \($0)" } ?? ""): \(error.message)")
        }
    }

    /// The ObjectStoreError of an error answer, carrying the vault's message; the one place statuses are mapped.
    static func failure(_ response: Client.Response, key: ObjectKey?, doing action: String) -> ObjectStoreError {
        let detail = VaultConnection.errorDetail(of: response)
        let code: ObjectStoreError.Code
        switch (response.status, detail.code) {
        case (_, "hash_mismatch"): code = .hashMismatch
        case (404, _), (409, "missing_objects"): code = .notFound
        case (416, _): code = .rangeNotSatisfiable
        case (409, "already_exists"), (409, "machine_exists"): code = .alreadyExists
        case (401, _), (403, _): code = .permissionDenied
        case (507, _): code = .noSpace
        case (429, _), (500...599, _): code = .unavailable
        default: code = .io
        }
        var message = "the vault refused to \(action)\(key.map { " \($0)" } ?? ""): \(detail.message)"
        if let missing = detail.missing, !missing.isEmpty {
            message += " (missing: \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", and \(missing.count - 5) more" : ""))"
        }
        if response.status == 401 {
            message += "; if this machine was registered again or unregistered, register it with `haven agent register --take-over`"
        }
        return ObjectStoreError(code, key: key, message: message)
    }
}
