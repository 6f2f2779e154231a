/// The page of one registered server: its state, retention policy, backup items and every live recovery point.
import Foundation
import HTTPServer
import Vault
import Web

extension PortalPages {
    func serverPage(_ request: WebRequest) throws -> Response {
        let vault = try vault(request)
        let now = request.now
        let machine = try serviceCall { try service.machine(try request.parameter("server"), inVault: vault.id) }
        let (items, points, policy) = try serviceCall {
            (try service.items(machine: machine.id), try service.recoveryPoints(machine: machine.id), try service.policy(machine: machine.id))
        }
        return try request.page("vault/server", title: machine.name, [
            "vault": ["id": vault.id, "name": vault.name],
            "server": [
                "id": machine.id, "name": machine.name, "hostname": machine.hostname, "state": ViewFormat.state(machine, now: now),
                "registered": ViewFormat.time(machine.registeredAt, now: now),
                "lastBackup": ViewFormat.time(machine.lastBackupAt, now: now), "points": machine.recoveryPoints,
                "size": Format.size(machine.bytes), "items": items.count,
                "stopped": machine.protectionStoppedAt.map { Format.time($0) } ?? "", "hasStopped": machine.protectionStoppedAt != nil,
            ],
            "items": items.map { itemRow($0, now: now) }, "hasItems": !items.isEmpty,
            "points": points.map { pointRow($0, now: now) }, "hasPoints": !points.isEmpty,
            "policy": policy.map { Self.policyRows($0) } ?? [], "hasPolicy": policy != nil,
        ])
    }

    /// The four retention counts, each with what it means.
    static func policyRows(_ policy: RetentionPolicy) -> [[String: Any]] {
        [("Daily", policy.daily, "day"), ("Weekly", policy.weekly, "week"), ("Monthly", policy.monthly, "month"),
         ("Yearly", policy.yearly, "year")].map { label, count, unit in
            ["label": label, "count": count,
             "meaning": count == 0 ? "not kept"
                 : count == 1 ? "the newest point of the latest \(unit)" : "the newest point of each of the last \(count) \(unit)s"]
        }
    }
}
