/// VaultAlerts owns deciding what on a vault needs the administrator's attention: stale, unregistered and stopped servers, deletions, refusals.
import Foundation
import Vault

/// The alerts of one vault, computed from what the service reports; pure, so it is tested with fixed instants.
public enum VaultAlerts {
    /// One thing that needs attention.
    public struct Alert: Sendable, Equatable {
        public enum Severity: String, Sendable { case error, warning, info }

        public var severity: Severity
        /// A short headline, e.g. "web-01 has not backed up for 3 days".
        public var title: String
        /// What it means and what to do.
        public var detail: String
    }

    /// How long a registered server may go without a backup.
    public static let staleAfter: TimeInterval = 48 * 3600
    /// How far back soft deletions and refusals count as recent.
    public static let recentWindow: TimeInterval = 72 * 3600

    /// The alerts, most severe first.
    /// - Parameters:
    ///   - machines: the vault's machines.
    ///   - softDeleted: its soft-deleted recovery points.
    ///   - audit: its recent audit entries (newest first).
    ///   - softDeleteSeconds: how long soft-deleted points stay before they are purged.
    ///   - now: the current time.
    public static func evaluate(machines: [MachineInfo], softDeleted: [RecoveryPoint], audit: [AuditEntry],
                                softDeleteSeconds: Int, now: Date) -> [Alert] {
        var alerts: [Alert] = []
        for machine in machines where machine.state == .registered && machine.protectionStoppedAt == nil {
            if let last = machine.lastBackupAt, now.timeIntervalSince(last) > staleAfter {
                alerts.append(Alert(severity: .warning, title: "\(machine.name) has not backed up since \(VaultTime.human(last))",
                                    detail: "Its last recovery point is \(age(now.timeIntervalSince(last))) old. Check the agent on "
                                        + "\(machine.hostname): is it running, and can it reach the vault?"))
            } else if machine.lastBackupAt == nil, now.timeIntervalSince(machine.registeredAt) > staleAfter {
                alerts.append(Alert(severity: .warning, title: "\(machine.name) has never backed up",
                                    detail: "It registered \(age(now.timeIntervalSince(machine.registeredAt))) ago. "
                                        + "Schedule a backup in its agent portal."))
            }
        }
        for machine in machines where machine.state == .registered {
            if let stopped = machine.protectionStoppedAt {
                alerts.append(Alert(severity: .warning, title: "Protection of \(machine.name) was stopped on \(VaultTime.human(stopped))",
                                    detail: "No new backups are made. Its remaining recovery points stay in the vault."))
            }
        }
        let unregistered = machines.filter { $0.state == .unregistered }
        if !unregistered.isEmpty {
            alerts.append(Alert(severity: .info, title: "\(count(unregistered.count, "server")) unregistered: "
                                    + unregistered.map(\.name).joined(separator: ", "),
                                detail: "Their recovery points remain and can be restored from another server of the vault."))
        }
        let recent = softDeleted.filter { ($0.deletedAt.map { now.timeIntervalSince($0) } ?? .infinity) <= recentWindow }
        if let oldest = recent.compactMap(\.deletedAt).min() {
            let purge = oldest.addingTimeInterval(TimeInterval(softDeleteSeconds))
            alerts.append(Alert(severity: .warning, title: "\(count(recent.count, "recovery point")) soft-deleted in the last 3 days",
                                detail: recent.count == 1
                                    ? "If that was not intended, undelete it below; it is purged for good on \(VaultTime.human(purge))."
                                    : "If that was not intended, undelete them below; the first is purged for good on \(VaultTime.human(purge))."))
        }
        let refusals = audit.filter { $0.event.hasSuffix(".refused") && now.timeIntervalSince($0.time) <= recentWindow }
        if !refusals.isEmpty {
            alerts.append(Alert(severity: .error, title: "\(count(refusals.count, "refused attempt")) in the last 3 days",
                                detail: "Registrations with bad credentials or wrong security PINs were refused. "
                                    + "See the audit log; if you do not recognise them, treat the credentials files as leaked."))
        }
        let order: [Alert.Severity: Int] = [.error: 0, .warning: 1, .info: 2]
        return alerts.enumerated().sorted { (order[$0.element.severity]!, $0.offset) < (order[$1.element.severity]!, $1.offset) }
            .map(\.element)
    }

    /// "3 days", "5 hours".
    static func age(_ seconds: TimeInterval) -> String {
        seconds >= 2 * 86400 ? count(Int(seconds / 86400), "day") : count(max(1, Int(seconds / 3600)), "hour")
    }

    static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
}
