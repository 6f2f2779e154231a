/// The page of one vault: usage, alerts, servers with their items and points, soft-deleted points, and the vault's actions.
import Foundation
import HTTPServer
import Vault
import Web

extension PortalPages {
    /// How many recent recovery points the vault page shows per server (the server page shows all).
    static let recentPointsPerServer = 5

    /// Renders the vault page; `credentialsForm` carries a credentials form that failed its checks.
    func vaultPage(_ request: WebRequest, credentialsForm: FormValidation? = nil, status: Int = 200) throws -> Response {
        let vault = try vault(request)
        let now = request.now
        let (machines, softDeleted, audit) = try serviceCall {
            (try service.machines(vault: vault.id), try service.softDeletedRecoveryPoints(vault: vault.id),
             try service.auditLog(vault: vault.id, limit: 200))
        }
        let names = Dictionary(machines.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let servers = try machines.map { try serverSummary($0, vault: vault, now: now) }
        let alerts = VaultAlerts.evaluate(machines: machines, softDeleted: softDeleted, audit: audit,
                                          softDeleteSeconds: service.configuration.softDeleteSeconds, now: now)
        var form = credentialsForm ?? FormValidation(request.form)
        let defaultHours = service.configuration.defaultCredentialsLifetimeSeconds / 3600
        if credentialsForm == nil { form.values = ["hours": String(defaultHours), "machines": "1"] }
        return try request.page("vault/vault", title: vault.name, [
            "vault": ["id": vault.id, "name": vault.name, "created": ViewFormat.time(vault.createdAt, now: now),
                      "size": Format.size(vault.bytes), "machines": vault.machines, "points": vault.recoveryPoints],
            "alerts": alerts.map { ["severity": $0.severity.rawValue, "title": $0.title, "detail": $0.detail] },
            "hasAlerts": !alerts.isEmpty,
            "servers": servers, "noServers": servers.isEmpty,
            "softDeleted": softDeleted.map { softDeletedRow($0, server: names[$0.machineId] ?? $0.machineId, now: now) },
            "softDeletedCount": softDeleted.count, "hasSoftDeleted": !softDeleted.isEmpty,
            "softDeleteDays": service.configuration.softDeleteSeconds / 86400,
            "maxHours": service.configuration.maxCredentialsLifetimeSeconds / 3600, "defaultHours": defaultHours,
            "pinMinutes": service.configuration.pinLifetimeSeconds / 60,
            "form": form.context,
        ], status: status)
    }

    private func serverSummary(_ machine: MachineInfo, vault: VaultInfo, now: Date) throws -> [String: Any] {
        let (items, points) = try serviceCall { (try service.items(machine: machine.id), try service.recoveryPoints(machine: machine.id)) }
        return [
            "id": machine.id, "name": machine.name, "hostname": machine.hostname, "state": ViewFormat.state(machine, now: now),
            "registered": ViewFormat.time(machine.registeredAt, now: now),
            "lastBackup": ViewFormat.time(machine.lastBackupAt, now: now), "points": machine.recoveryPoints,
            "size": ViewFormat.size(machine.bytes), "href": "/vaults/\(vault.id)/servers/\(machine.id)",
            "items": items.map { itemRow($0, now: now) }, "hasItems": !items.isEmpty,
            "recent": points.prefix(Self.recentPointsPerServer).map { pointRow($0, now: now) },
            "morePoints": max(0, points.count - Self.recentPointsPerServer), "hasMorePoints": points.count > Self.recentPointsPerServer,
        ]
    }

    func itemRow(_ item: ItemInfo, now: Date) -> [String: Any] {
        ["kind": ViewFormat.kind(item.kind), "name": item.name, "points": item.recoveryPoints,
         "lastBackup": ViewFormat.time(item.lastBackupAt, now: now), "size": ViewFormat.size(item.size)]
    }

    func pointRow(_ point: RecoveryPoint, now: Date) -> [String: Any] {
        ["id": point.id, "short": ViewFormat.short(point.id), "kind": ViewFormat.kind(point.item.kind), "item": point.item.name,
         "time": ViewFormat.time(point.time, now: now), "size": ViewFormat.size(point.size), "seeded": point.seeded,
         "retainUntil": point.retainUntil.map { Format.time($0) } ?? "", "hasRetainUntil": point.retainUntil != nil, "held": point.held]
    }

    private func softDeletedRow(_ point: RecoveryPoint, server: String, now: Date) -> [String: Any] {
        let deleted = point.deletedAt ?? now
        let left = deleted.addingTimeInterval(TimeInterval(service.configuration.softDeleteSeconds)).timeIntervalSince(now)
        var row = pointRow(point, now: now)
        row["server"] = server
        row["machine"] = point.machineId
        row["deleted"] = ViewFormat.time(deleted, now: now)
        row["left"] = ["text": Format.duration(.seconds(max(0, Int64(left)))), "sort": String(Int64(left))]
        row["urgent"] = left < 2 * 86400
        return row
    }
}
