import HTTPClient
import ObjectStore
import Synchronization
import VaultProtocol

/// The machine's upload lease, kept open while a backup uploads: opened at the first upload that needs one,
/// renewed once half its time has passed, reopened when it expired, released on `release()`.
///
/// Shared by every uploading thread: the `Mutex` serializes opening and renewing (other uploads wait for the one
/// lease rather than each opening their own), and the HTTP calls made under it are short JSON requests.
final class UploadLease: Sendable {
    private struct Held {
        var id: String
        /// Monotonic seconds: renew from then on; after `expiresAt` the vault may already have let it go.
        var renewAt: Double
        var expiresAt: Double
    }

    private let held = Mutex<Held?>(nil)
    private let connection: VaultConnection
    private let path: String
    private let seconds: Int
    private let now: @Sendable () -> Double

    init(connection: VaultConnection, machineId: String, seconds: Int, now: @escaping @Sendable () -> Double) {
        self.connection = connection
        path = "/machines/\(machineId)/leases"
        self.seconds = seconds
        self.now = now
    }

    /// The id of the lease currently held, if any.
    var currentID: String? { held.withLock { $0?.id } }

    /// The id of an open lease, opening one or renewing it first when needed.
    func id() throws(ObjectStoreError) -> String {
        try held.withLock { held throws(ObjectStoreError) -> String in
            if let current = held, now() < current.renewAt { return current.id }
            let fresh = try refreshed(held)
            held = fresh
            return fresh.id
        }
    }

    /// Renews the lease if one is held and half its time has passed, so a backup that uploads nothing for a while
    /// (unchanged files) keeps it. Opens none.
    func renewIfDue() throws(ObjectStoreError) {
        try held.withLock { held throws(ObjectStoreError) in
            guard let current = held, now() >= current.renewAt else { return }
            held = try refreshed(current)
        }
    }

    /// Forgets the lease `id` after the vault said it expired, so the next upload opens a new one.
    func expired(_ id: String) {
        held.withLock { held in if held?.id == id { held = nil } }
    }

    /// Releases the lease, if one is held.
    func release() throws(ObjectStoreError) {
        guard let current = held.withLock({ held in defer { held = nil }; return held }) else { return }
        let response: Client.Response
        do { response = try connection.send("DELETE", "\(path)/\(current.id)") } catch {
            throw ObjectStoreError(.unavailable, message: "cannot reach the vault at \(connection.address) to release the upload lease: "
                + "\(error.message); it expires by itself within \(seconds) seconds")
        }
        guard response.status == 204 || response.status == 404 || response.status == 409 else {
            throw VaultObjectStore.failure(response, key: nil, doing: "release the upload lease")
        }
    }

    /// Renews `current` when it can still be renewed, else opens a new lease.
    private func refreshed(_ current: Held?) throws(ObjectStoreError) -> Held {
        let start = now()
        if let current, start < current.expiresAt {
            let response = try request("PUT", "\(path)/\(current.id)", doing: "renew the upload lease")
            if (200...299).contains(response.status) { return try decode(response, start: start) }
            let detail = VaultConnection.errorDetail(of: response)
            guard detail.code == "lease_expired" || response.status == 404 else {
                throw VaultObjectStore.failure(response, key: nil, doing: "renew the upload lease")
            }
        }
        let response = try request("POST", path, doing: "open an upload lease")
        guard (200...299).contains(response.status) else { throw VaultObjectStore.failure(response, key: nil, doing: "open an upload lease") }
        return try decode(response, start: start)
    }

    private func request(_ method: String, _ path: String, doing action: String) throws(ObjectStoreError) -> Client.Response {
        let body = Array(#"{"seconds":\#(seconds)}"#.utf8)
        do {
            return try connection.send(method, path, headers: [("Content-Type", "application/json")], body: body)
        } catch {
            throw ObjectStoreError(.unavailable, message: "cannot reach the vault at \(connection.address) to \(action): \(error.message)")
        }
    }

    /// The lease's times are counted from when the request left, so they err on the early side.
    private func decode(_ response: Client.Response, start: Double) throws(ObjectStoreError) -> Held {
        guard let answer = VaultObjectStore.decode(LeaseResponse.self, from: response.body), !answer.id.isEmpty else {
            throw ObjectStoreError(.io, message: "the vault at \(connection.address) answered a lease request with something that "
                + "is not a lease (HTTP \(response.status))")
        }
        return Held(id: answer.id, renewAt: start + Double(seconds) / 2, expiresAt: start + Double(seconds))
    }
}
