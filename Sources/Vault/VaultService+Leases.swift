import Foundation
import SQLiteDB

/// Upload leases: while one is open, objects its machine uploads are safe from garbage collection.
extension VaultService {
    /// The range of lease lengths, in seconds.
    public static let leaseSeconds = 60...86400

    /// Opens a lease for `seconds` (60...86400, 3600 when nil).
    public func openLease(machine: String, seconds: Int?) throws -> Lease {
        let seconds = try Self.validLeaseSeconds(seconds)
        return try mapping {
            try database.write { transaction in
                let lease = Lease(id: Self.newId(), startedAt: VaultTime.date(now), expiresAt: VaultTime.date(now + Int64(seconds)))
                try transaction.execute("INSERT INTO leases (id, machine, started_at, expires_at) VALUES (?, ?, ?, ?)",
                                        [.text(lease.id), .text(machine), .integer(now), .integer(now + Int64(seconds))])
                return lease
            }
        }
    }

    /// Extends an open lease to `seconds` from now; `leaseExpired` when it expired or was released.
    public func renewLease(machine: String, id: String, seconds: Int?) throws -> Lease {
        let seconds = try Self.validLeaseSeconds(seconds)
        return try mapping {
            try database.write { transaction in
                let started = try openLeaseStart(transaction, id: id, machine: machine)
                try transaction.execute("UPDATE leases SET expires_at = ? WHERE id = ?", [.integer(now + Int64(seconds)), .text(id)])
                return Lease(id: id, startedAt: VaultTime.date(started), expiresAt: VaultTime.date(now + Int64(seconds)))
            }
        }
    }

    /// Releases a lease of the machine (releasing one that expired or was released already is fine).
    public func releaseLease(machine: String, id: String) throws {
        try mapping {
            try database.write { transaction in
                try transaction.execute("UPDATE leases SET released_at = ? WHERE id = ? AND machine = ? AND released_at IS NULL",
                                        [.integer(now), .text(id), .text(machine)])
                guard try !transaction.query("SELECT 1 FROM leases WHERE id = ? AND machine = ?", [.text(id), .text(machine)]).isEmpty else {
                    throw VaultError(.notFound, "this machine has no lease \(id.prefix(32))")
                }
            }
        }
    }

    /// The open leases of a machine, oldest first.
    public func openLeases(machine: String) throws -> [Lease] {
        try mapping {
            try database.query("""
                SELECT id, started_at, expires_at FROM leases WHERE machine = ? AND released_at IS NULL AND expires_at > ?
                ORDER BY started_at
                """, [.text(machine), .integer(now)]).map {
                Lease(id: try $0.get("id"), startedAt: VaultTime.date(try $0.get("started_at")), expiresAt: VaultTime.date(try $0.get("expires_at")))
            }
        }
    }

    func checkLease(_ id: String?, machine: String) throws {
        guard let id, !id.isEmpty else {
            throw VaultError(.leaseRequired, "uploads of data, index, recovery-points and keys need an open upload lease: "
                + "open one (POST /api/v1/machines/{me}/leases) and send its id in the Haven-Lease header")
        }
        _ = try mapping { try database.read { try openLeaseStart($0, id: id, machine: machine) } }
    }

    private func openLeaseStart(_ transaction: Transaction, id: String, machine: String) throws -> Int64 {
        guard let row = try transaction.query(
            "SELECT started_at, expires_at, released_at FROM leases WHERE id = ? AND machine = ?", [.text(id), .text(machine)]).first,
            try row.get("released_at", as: Int64?.self) == nil, try row.get("expires_at", as: Int64.self) > now
        else {
            throw VaultError(.leaseExpired, "the upload lease \(id.prefix(32)) expired, was released or is unknown; "
                + "open a new lease and upload again what is missing")
        }
        return try row.get("started_at")
    }

    private static func validLeaseSeconds(_ seconds: Int?) throws -> Int {
        let seconds = seconds ?? 3600
        guard leaseSeconds.contains(seconds) else {
            throw VaultError(.invalidRequest, "a lease lasts 60 to 86400 seconds; asked for \(seconds)")
        }
        return seconds
    }
}
