/// RepositoryCache keeps repositories opened for browsing and restoring for a while, so clicking through a recovery
/// point does not reload the vault's index (and rerun scrypt) on every page.
import Crypto
import Foundation
import Repository
import Synchronization

/// Opened repositories by key: this machine's, and other machines' keyed by their id and a keyed hash of the
/// passphrase that opened them (the passphrase itself is not kept).
///
/// `Sendable` through its `Mutex`.
final class RepositoryCache: Sendable {
    /// How long an unused repository stays open.
    static let lifetime: TimeInterval = 15 * 60

    private struct Entry { var repository: Repository; var lastUsed: Date }
    private let entries = Mutex<[String: Entry]>([:])
    private let clock: Clock
    /// Per process: the cache's keys mean nothing outside it.
    private let hashKey = SecureRandom.bytes(32)

    init(clock: @escaping Clock) { self.clock = clock }

    static let own = "own"

    func key(machine: String, passphrase: String) -> String {
        machine + ":" + Hex.encode(HMACSHA256(key: SecretBytes(hashKey)).authenticate(Array(passphrase.utf8)))
    }

    /// The cached repository, or a freshly opened one that is then cached.
    func repository(_ key: String, open: () throws -> Repository) throws -> Repository {
        let now = clock()
        if let cached = entries.withLock({ entries -> Repository? in
            entries = entries.filter { now.timeIntervalSince($0.value.lastUsed) < Self.lifetime }
            entries[key]?.lastUsed = now
            return entries[key]?.repository
        }) { return cached }
        let opened = try open()
        entries.withLock { $0[key] = Entry(repository: opened, lastUsed: now) }
        return opened
    }

    /// Forgets one repository (this machine's after a backup changed it).
    func remove(_ key: String) { _ = entries.withLock { $0.removeValue(forKey: key) } }

    func removeAll() { entries.withLock { $0 = [:] } }
}
