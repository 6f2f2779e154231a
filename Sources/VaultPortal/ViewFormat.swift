/// ViewFormat owns how the vault portal shows its values: times with their sort keys, item kinds, server states, events.
import Foundation
import Vault
import Web

/// Small view helpers shared by the pages; every value a template shows goes through one of them.
enum ViewFormat {
    /// `{text, full, iso, sort}`: "3 hours ago" for the page, the full UTC time for a tooltip, the epoch for sorting.
    static func time(_ date: Date?, now: Date, never: String = "never") -> [String: Any] {
        guard let date else { return ["text": never, "full": "", "iso": "", "sort": "0", "none": true] }
        return ["text": Format.relative(date, now: now), "full": Format.time(date), "iso": VaultTime.rfc3339(date),
                "sort": String(Int64(date.timeIntervalSince1970)), "none": false]
    }

    /// "2026-11-24 18:25:48 UTC": audit entries happen seconds apart.
    static func timeWithSeconds(_ date: Date) -> String {
        VaultTime.rfc3339(date).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }

    /// `{text, sort}` for a size in bytes.
    static func size(_ bytes: Int64) -> [String: Any] {
        ["text": Format.size(bytes), "sort": String(bytes)]
    }

    /// "Files and folders", "Volume", "System state".
    static func kind(_ kind: String) -> String {
        switch kind {
        case "files": "Files and folders"
        case "volume": "Volume"
        case "system-state": "System state"
        default: kind
        }
    }

    /// The badge of a server: `{label, badge}` — protected, backup overdue, awaiting first backup, stopped, unregistered.
    static func state(_ machine: MachineInfo, now: Date) -> [String: String] {
        if machine.state == .unregistered { return ["label": "Unregistered", "badge": ""] }
        if machine.protectionStoppedAt != nil { return ["label": "Protection stopped", "badge": "warning"] }
        guard let last = machine.lastBackupAt else { return ["label": "Awaiting first backup", "badge": "info"] }
        return now.timeIntervalSince(last) > VaultAlerts.staleAfter
            ? ["label": "Backup overdue", "badge": "warning"] : ["label": "Protected", "badge": "ok"]
    }

    /// The badge class of an audit event: refusals red, deletions amber, PINs and credentials blue.
    static func eventBadge(_ event: String) -> String {
        if event.hasSuffix(".refused") { return "error" }
        if ["deleted", "expired", "purged", "unregistered", "protection-stopped", "gc", "taken-over"]
            .contains(where: { event.hasSuffix($0) }) { return "warning" }
        if event.hasPrefix("pin.") || event.hasPrefix("credentials.") || event.hasPrefix("policy.") { return "info" }
        return "ok"
    }

    /// The first 12 hex digits of an id, for narrow columns.
    static func short(_ id: String) -> String { String(id.prefix(12)) }
}
