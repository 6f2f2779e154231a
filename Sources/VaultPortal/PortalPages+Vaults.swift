/// The Vaults page: every vault with its usage, and the form that creates one.
import Foundation
import HTTPServer
import Vault
import Web

extension PortalPages {
    func vaultList(_ request: WebRequest, form: FormValidation? = nil, status: Int = 200) throws -> Response {
        let vaults = try serviceCall { try service.vaults() }
        let now = request.now
        let rows = vaults.map { vault -> [String: Any] in
            ["id": vault.id, "name": vault.name, "machines": vault.machines, "points": vault.recoveryPoints,
             "size": ViewFormat.size(vault.bytes), "created": ViewFormat.time(vault.createdAt, now: now)]
        }
        let total = vaults.reduce(Int64(0)) { $0 + $1.bytes }
        return try request.page("vault/vaults", title: "Vaults", [
            "vaults": rows, "empty": rows.isEmpty,
            "totals": ["vaults": vaults.count, "machines": vaults.reduce(0) { $0 + $1.machines },
                       "points": vaults.reduce(0) { $0 + $1.recoveryPoints }, "size": Format.size(total)],
            "form": (form ?? FormValidation(request.form)).context,
        ], status: status)
    }

    func createVault(_ request: WebRequest) throws -> Response {
        var check = FormValidation(request.form)
        let name = check.required("name", "Give the vault a name, e.g. “Production” or “Branch office”.")
        if let name {
            check.expect(name.count <= 64, "name", "Use at most 64 characters (this name has \(name.count)).")
            check.expect(!name.unicodeScalars.contains { $0.properties.generalCategory == .control }, "name",
                         "Use letters, digits, spaces and punctuation only.")
        }
        guard check.isValid, let name else { return try vaultList(request, form: check, status: 422) }
        do {
            let vault = try service.createVault(name: name, actor: "portal")
            return try request.redirect(
                to: "/vaults/\(vault.id)",
                flash: .success("Vault \(vault.name) created. Next: download vault credentials and register a server with them."))
        } catch let error as VaultError where error.code == .alreadyExists || error.code == .invalidRequest {
            check.fail("name", error.code == .alreadyExists
                ? "A vault named “\(name)” already exists; choose another name." : error.message)
            return try vaultList(request, form: check, status: 422)
        } catch let error as VaultError {
            throw Self.webError(error) ?? error
        }
    }
}
