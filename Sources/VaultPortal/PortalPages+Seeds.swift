/// The Import seed page: a path on the vault host, then what the import did or every problem that refused it.
import Foundation
import HTTPServer
import Vault
import Web

extension PortalPages {
    /// The form, or (after a POST) the form with the import's outcome.
    func seedPage(_ request: WebRequest, form: FormValidation? = nil, outcome: [String: Any]? = nil, status: Int = 200) throws -> Response {
        let vault = try vault(request)
        return try request.page("vault/import-seed", title: "Import seed", [
            "vault": ["id": vault.id, "name": vault.name],
            "form": (form ?? FormValidation(FormData())).context,
            "outcome": outcome as Any, "hasOutcome": outcome != nil,
        ], status: status)
    }

    /// Checks the seed at the path the form names and imports it (audited by the service); a damaged seed is shown
    /// with every problem, and nothing is stored.
    func importSeed(_ request: WebRequest) throws -> Response {
        let vault = try vault(request)
        var check = FormValidation(request.form)
        guard let path = check.required("path", "Give the seed's folder on this host, such as /mnt/seed/<machine id>."),
              check.isValid else { return try seedPage(request, form: check, status: 422) }
        do {
            let result = try service.importSeed(path: path, vault: vault.id, actor: "portal")
            return try seedPage(request, form: check, outcome: [
                "ok": true, "machine": result.machineName, "machineId": result.machineId, "kind": ViewFormat.kind(result.item.kind),
                "item": result.item.name, "point": result.recoveryPoint, "objects": result.objects, "stored": result.objectsStored,
                "size": Format.size(result.bytes), "again": !result.committed,
            ])
        } catch let error as VaultError where Self.webError(error) != nil {
            let problems = error.missing ?? []
            return try seedPage(request, form: check, outcome: [
                "ok": false, "message": error.message, "problems": problems.prefix(500).map { $0 }, "hasProblems": !problems.isEmpty,
                "moreProblems": max(0, problems.count - 500), "hasMoreProblems": problems.count > 500,
            ], status: 422)
        }
    }
}
