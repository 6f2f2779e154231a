/// The vault page's actions: download vault credentials, generate a security PIN, undelete a point, run maintenance.
import Foundation
import HTTPServer
import Vault
import Web

extension PortalPages {
    /// Issues a credentials file (audited by the service) and sends it as a download named `NAME_YYYY-MM-DD.VaultCredentials`.
    func downloadCredentials(_ request: WebRequest) throws -> Response {
        let vault = try vault(request)
        let maxHours = service.configuration.maxCredentialsLifetimeSeconds / 3600
        var check = FormValidation(request.form)
        let hours = Self.number(&check, "hours", in: 1...maxHours,
                                "Enter how many hours the file stays valid: a whole number from 1 to \(maxHours) (\(maxHours / 24) days).")
        let machines = Self.number(&check, "machines", in: 1...1000,
                                   "Enter how many servers may register with the file: a whole number from 1 to 1000.")
        guard check.isValid, let hours, let machines else { return try vaultPage(request, credentialsForm: check, status: 422) }
        let credentials = try serviceCall {
            try service.issueCredentials(vault: vault.id, lifetimeSeconds: hours * 3600, uses: machines, address: identity.address,
                                         certificateSHA256: identity.certificateSHA256, publicKeySHA256: identity.publicKeySHA256,
                                         actor: "portal")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        let bytes = Array(try encoder.encode(credentials)) + [0x0a]
        return .download(bytes, filename: credentials.suggestedFileName, contentType: "application/json")
    }

    /// Generates a security PIN (audited) and shows it once, with when it expires.
    func generatePIN(_ request: WebRequest) throws -> Response {
        let vault = try vault(request)
        let pin = try serviceCall { try service.generatePIN(vault: vault.id, actor: "portal") }
        let digits = Array(pin.pin)
        return try request.page("vault/pin", title: "Security PIN", [
            "vault": ["id": vault.id, "name": vault.name],
            "pin": pin.pin, "groups": [String(digits.prefix(4)), String(digits.dropFirst(4))],
            "expires": Format.time(pin.expiresAt), "expiresIso": VaultTime.rfc3339(pin.expiresAt),
            "minutes": service.configuration.pinLifetimeSeconds / 60,
        ])
    }

    /// Makes a soft-deleted point live again (and held) — audited by the service.
    func undelete(_ request: WebRequest) throws -> Response {
        let vault = try vault(request)
        guard let machine = request.form["machine"], !machine.isEmpty, let point = request.form["point"], !point.isEmpty else {
            throw WebError.badRequest("the undelete form names no server and recovery point; use the Undelete button on the vault page")
        }
        let server = try serviceCall { try service.machine(machine, inVault: vault.id) }
        try serviceCall { try service.undelete(machine: server.id, point: point, actor: "portal") }
        return try request.redirect(to: "/vaults/\(vault.id)", flash: .success(
            "Recovery point \(ViewFormat.short(point)) of \(server.name) is live again. Retention will not expire it; it stays until deleted with a security PIN."))
    }

    /// Runs retention, purge and garbage collection now (over every vault), records it, and says what was removed.
    func runMaintenance(_ request: WebRequest) throws -> Response {
        let vault = try vault(request)
        let report = try serviceCall { try service.maintain() }
        let summary = "\(report.expiredPoints) recovery point(s) expired by retention, \(report.purgedPoints) purged after "
            + "the soft-delete period, \(report.collectedObjects) unreferenced object(s) (\(Format.size(report.collectedBytes))) removed"
        try serviceCall { try service.audit(vault: vault.id, actor: "portal", event: "maintenance.run", detail: "maintenance run from the portal: " + summary) }
        let nothing = report.expiredPoints + report.purgedPoints + report.collectedObjects == 0
        return try request.redirect(to: "/vaults/\(vault.id)", flash: nothing
            ? .info("Maintenance finished: nothing to remove in any vault.")
            : .success("Maintenance finished: " + summary + "."))
    }

    /// A whole number in `range` from a form field, or nil with `message` recorded for the field.
    static func number(_ check: inout FormValidation, _ field: String, in range: ClosedRange<Int>, _ message: String) -> Int? {
        guard let text = check.required(field, message) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            check.fail(field, message)
            return nil
        }
        return value
    }
}
