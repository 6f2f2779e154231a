import HTTPClient
import VaultProtocol

/// The machine's retention policy in the vault, and unregistering: what the agent's service needs beyond objects.
extension VaultSession {
    /// The stored retention policy; nil when none is stored (the vault keeps every point).
    public func policy() throws(VaultClientError) -> RetentionPolicyBody? {
        do {
            return try connection.call("GET", "/machines/\(credential.machineId)/policy", as: RetentionPolicyBody.self,
                                       doing: "read the retention policy")
        } catch where error.vaultCode == "not_found" {
            return nil
        }
    }

    /// Stores the retention policy. Lowering it (or storing a first one) needs a security PIN: without one the vault
    /// refuses with `destroy_forbidden`.
    public func setPolicy(_ policy: RetentionPolicyBody, securityPIN: String?) throws(VaultClientError) {
        let headers = securityPIN.map { [(name: "Haven-Security-PIN", value: $0)] } ?? []
        _ = try connection.call("PUT", "/machines/\(credential.machineId)/policy", body: policy, as: RetentionPolicyBody.self,
                                headers: headers, doing: "store the retention policy")
    }

    /// Unregisters this machine: its secret stops working; its recovery points and objects stay in the vault.
    public func unregister() throws(VaultClientError) {
        let response: Client.Response
        do { response = try connection.send("DELETE", "/machines/\(credential.machineId)") } catch {
            throw VaultClientError(.unreachable, "cannot reach the vault at \(connection.address) to unregister: \(error.message)")
        }
        guard (200...299).contains(response.status) else {
            let detail = VaultConnection.errorDetail(of: response)
            throw VaultClientError(.refused, "the vault refused to unregister this machine: \(detail.message)", vaultCode: detail.code)
        }
    }
}
