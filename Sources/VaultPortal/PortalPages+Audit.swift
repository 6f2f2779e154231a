/// The audit log page: every security-relevant event, newest first, a page at a time, optionally of one vault.
import Foundation
import HTTPServer
import Vault
import Web

extension PortalPages {
    /// Entries per page.
    static let auditPageSize = 50

    func auditPage(_ request: WebRequest) throws -> Response {
        let now = request.now
        let vaults = try serviceCall { try service.vaults() }
        var selected: VaultInfo?
        if let asked = request.query("vault"), !asked.isEmpty {
            guard let vault = vaults.first(where: { $0.id == asked || $0.name == asked }) else {
                throw WebError.notFound("there is no vault \(String(reflecting: String(asked.prefix(64)))) to show the audit log of; "
                    + "choose one from the list on the audit log page")
            }
            selected = vault
        }
        var before: Int64?
        if let text = request.query("before"), !text.isEmpty {
            guard let value = Int64(text), value > 0 else {
                throw WebError.badRequest("“before” must be a positive entry number; follow the Older link instead of editing the address")
            }
            before = value
        }
        let fetched = try serviceCall { try service.auditLog(vault: selected?.id, limit: Self.auditPageSize + 1, before: before) }
        let entries = Array(fetched.prefix(Self.auditPageSize))
        let vaultNames = Dictionary(vaults.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var machineNames: [String: String] = [:]
        for vault in vaults where selected == nil || selected?.id == vault.id {
            for machine in try serviceCall({ try service.machines(vault: vault.id) }) { machineNames[machine.id] = machine.name }
        }
        let filter = selected.map { "vault=\($0.id)&" } ?? ""
        let rows = entries.map { entry -> [String: Any] in
            ["id": entry.id, "time": ViewFormat.time(entry.time, now: now), "exact": ViewFormat.timeWithSeconds(entry.time), "actor": entry.actor, "event": entry.event,
             "badge": ViewFormat.eventBadge(entry.event), "detail": entry.detail,
             "vault": entry.vaultId.map { vaultNames[$0] ?? ViewFormat.short($0) } ?? "—", "vaultId": entry.vaultId ?? "", "hasVault": entry.vaultId != nil,
             "server": entry.machineId.map { machineNames[$0] ?? ViewFormat.short($0) } ?? "—"]
        }
        return try request.page("vault/audit", title: "Audit log", [
            "entries": rows, "empty": rows.isEmpty,
            "vaults": vaults.map { ["id": $0.id, "name": $0.name, "selected": $0.id == selected?.id] },
            "selectedName": selected?.name ?? "", "filtered": selected != nil,
            "older": fetched.count > Self.auditPageSize ? "/audit?\(filter)before=\(entries.last!.id)" : "",
            "hasOlder": fetched.count > Self.auditPageSize, "hasNewest": before != nil,
            "newest": before != nil ? "/audit" + (selected.map { "?vault=\($0.id)" } ?? "") : "",
        ])
    }
}
