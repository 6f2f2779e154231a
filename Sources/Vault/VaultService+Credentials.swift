import Crypto
import Foundation
import SQLiteDB
import VaultProtocol

/// Vault credentials: issuing signed files, and registering machines with them.
extension VaultService {
    /// Issues a credentials file for `vault` that registers up to `uses` machines until `lifetimeSeconds` from now.
    ///
    /// `address` is the service's base URL; `pins` its certificate fingerprints (empty strings for plain HTTP).
    /// Lifetime: 1 second up to `maxCredentialsLifetimeSeconds`, `defaultCredentialsLifetimeSeconds` when nil; uses 1 to 1000.
    public func issueCredentials(vault idOrName: String, lifetimeSeconds: Int? = nil, uses: Int = 1, address: String,
                                 certificateSHA256: String, publicKeySHA256: String, actor: String = "portal") throws -> VaultCredentials {
        let lifetime = lifetimeSeconds ?? configuration.defaultCredentialsLifetimeSeconds
        guard (1...configuration.maxCredentialsLifetimeSeconds).contains(lifetime) else {
            throw VaultError(.invalidRequest, "vault credentials may live from 1 second to \(configuration.maxCredentialsLifetimeSeconds / 3600) hours; "
                + "asked for \(lifetime) seconds")
        }
        guard (1...1000).contains(uses) else {
            throw VaultError(.invalidRequest, "vault credentials may register 1 to 1000 machines; asked for \(uses)")
        }
        let vault = try vault(idOrName)
        let issued = now
        let key = Self.newSecret()
        var credentials = VaultCredentials(
            vaultId: vault.id, vaultName: vault.name, address: address, certificateSHA256: certificateSHA256,
            publicKeySHA256: publicKeySHA256, registrationKey: key, issuedAt: VaultTime.rfc3339(VaultTime.date(issued)),
            expiresAt: VaultTime.rfc3339(VaultTime.date(issued + Int64(lifetime))))
        credentials.signature = signature(of: credentials)
        try mapping {
            try database.write { transaction in
                try transaction.execute("""
                    INSERT INTO credentials (key_hash, vault, issued_at, expires_at, uses_left, uses) VALUES (?, ?, ?, ?, ?, ?)
                    """, [.blob(SHA256.hash(Array(key.utf8))), .text(vault.id), .integer(issued),
                          .integer(issued + Int64(lifetime)), .integer(Int64(uses)), .integer(Int64(uses))])
                try appendAudit(transaction, vault: vault.id, actor: actor, event: "credentials.issued",
                                detail: "credentials for \(uses) registration(s) issued, valid until \(credentials.expiresAt)")
            }
        }
        return credentials
    }

    func signature(of credentials: VaultCredentials) -> String {
        Hex.encode(signingKey.authenticate(Array(credentials.canonicalText.utf8)))
    }

    /// Registers a machine with a credentials file: checks signature, known key, expiry and remaining uses in
    /// that order (a refusal uses nothing up), then creates the machine or, with `takeOver`, gives the machine
    /// of that name a new secret. Returns the machine credential, which the vault never shows again.
    public func register(_ request: RegisterRequest) throws -> RegisterResponse {
        let credentials = request.credentials
        try Self.validateMachineName(request.machineName)
        guard request.hostname.utf8.count <= 255, !request.hostname.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw VaultError(.invalidRequest, "hostname must be at most 255 bytes without control characters")
        }
        let knownVault = try? vault(credentials.vaultId)
        do {
            return try mapping { try database.write { try register(request, in: $0) } }
        } catch let error as VaultError where error.code.httpStatus == 401 {
            try? audit(vault: knownVault?.id, actor: "machine", event: "credentials.refused",
                       detail: "registration of \(request.machineName) refused: \(error.code.rawValue)")
            throw error
        }
    }

    private func register(_ request: RegisterRequest, in transaction: Transaction) throws -> RegisterResponse {
        let credentials = request.credentials
        let expected = Array(signature(of: credentials).utf8)
        guard credentials.format == VaultCredentials.formatName, constantTimeEquals(expected, Array(credentials.signature.utf8)) else {
            throw VaultError(.credentialsForged, "the vault credentials file was altered or was not issued by this vault "
                + "(its signature does not match); download a new file from the vault portal")
        }
        let keyHash = SHA256.hash(Array(credentials.registrationKey.utf8))
        guard let row = try transaction.query(
            "SELECT vault, expires_at, uses_left, uses FROM credentials WHERE key_hash = ?", [.blob(keyHash)]).first,
            try row.get("vault", as: String.self) == credentials.vaultId
        else {
            throw VaultError(.credentialsUnknown, "this vault does not know these vault credentials (the vault may have "
                + "been rebuilt); download a new file from the vault portal")
        }
        let expiresAt: Int64 = try row.get("expires_at")
        guard now < expiresAt else {
            throw VaultError(.credentialsExpired, "the vault credentials expired on \(VaultTime.human(VaultTime.date(expiresAt))); "
                + "download a new file from the vault portal")
        }
        guard try row.get("uses_left", as: Int.self) > 0 else {
            let uses: Int = try row.get("uses")
            throw VaultError(.credentialsUsedUp, "the vault credentials were already used for \(uses) registration(s), "
                + "all they allow; download a new file from the vault portal")
        }
        let vault = credentials.vaultId
        let secret = Self.newSecret()
        let secretHash = SHA256.hash(Array(secret.utf8))
        let machineId: String
        if let existing = try transaction.query("SELECT id FROM machines WHERE vault = ? AND name = ?",
                                                [.text(vault), .text(request.machineName)]).first {
            guard request.takeOver == true else {
                throw VaultError(.machineExists, "a machine named \(request.machineName) is already registered in this vault; "
                    + "choose another name, or take it over (re-registering a rebuilt server keeps its recovery points)")
            }
            machineId = try existing.get("id")
            try transaction.execute("""
                UPDATE machines SET secret_hash = ?, hostname = ?, state = 'registered', registered_at = ? WHERE id = ?
                """, [.blob(secretHash), .text(request.hostname), .integer(now), .text(machineId)])
            try appendAudit(transaction, vault: vault, machine: machineId, actor: "machine", event: "machine.taken-over",
                            detail: "\(request.machineName) (\(request.hostname)) re-registered; the old secret stopped working")
        } else {
            machineId = Self.newId()
            try transaction.execute("""
                INSERT INTO machines (id, vault, name, hostname, secret_hash, state, registered_at)
                VALUES (?, ?, ?, ?, ?, 'registered', ?)
                """, [.text(machineId), .text(vault), .text(request.machineName), .text(request.hostname),
                      .blob(secretHash), .integer(now)])
            try appendAudit(transaction, vault: vault, machine: machineId, actor: "machine", event: "machine.registered",
                            detail: "\(request.machineName) (\(request.hostname)) registered")
        }
        try transaction.execute("UPDATE credentials SET uses_left = uses_left - 1 WHERE key_hash = ?", [.blob(keyHash)])
        let vaultName: String = try transaction.query("SELECT name FROM vaults WHERE id = ?", [.text(vault)])[0].get("name")
        return RegisterResponse(machineId: machineId, secret: secret, vaultId: vault, vaultName: vaultName)
    }

    static func validateMachineName(_ name: String) throws {
        let valid = (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        guard valid else {
            throw VaultError(.invalidRequest, "machineName must be 1 to 64 characters of letters, digits, '.', '-' and '_'; "
                + "got \(String(reflecting: name))")
        }
    }
}
