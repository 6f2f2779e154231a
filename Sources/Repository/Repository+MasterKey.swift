import Crypto
import Foundation
import ObjectStore

/// Opening a repository with its master key instead of a passphrase: how an agent that must back up unattended
/// works after registration, when the passphrase is no longer at hand.
extension Repository {
    /// The master key's bytes, for a caller that keeps them in a private file (mode 0600) to open the repository
    /// without the passphrase. Anyone holding them can read and write the repository: treat them as the passphrase.
    public func exportMasterKey() -> [UInt8] {
        key.material.withUnsafeBytes { Array($0) }
    }

    /// Opens the repository with a master key exported by `exportMasterKey()`, then loads the index.
    /// The key is proven by opening the config, which it sealed: a wrong key fails with `wrongPassphrase`.
    /// `treeLinks` lets each recovery point saved through this repository skip reading the trees it already knows;
    /// `indexCache` lets the index load read only the index objects it has not read before.
    public static func open(store: any ObjectStore, masterKey: [UInt8], loadIndex: Bool = true,
                            treeLinks: TreeLinkCache? = nil, indexCache: IndexCache? = nil) throws -> Repository {
        let key = try MasterKey(material: SecretBytes(masterKey))
        let configBytes = try storeCall("read the config") { try store.get(ObjectKey(.config, "config")) }
        let plaintext: [UInt8]
        do { plaintext = try EnvelopeOpener(key: key).openObject(configBytes, what: "the config") } catch {
            throw RepositoryError(.wrongPassphrase, "the stored master key does not open this repository; register the machine "
                + "again with its passphrase")
        }
        let config: RepositoryConfig
        do { config = try JSONDecoder().decode(RepositoryConfig.self, from: Data(plaintext)) } catch {
            throw RepositoryError(.corrupt, "the config is not valid JSON: \(error)")
        }
        try config.validate()
        let repository = Repository(store: store, key: key, config: config, treeLinks: treeLinks, indexCache: indexCache)
        if loadIndex {
            if let indexCache { try indexCache.load(into: repository) } else { try repository.loadIndex() }
        }
        return repository
    }

    /// One recovery point by its full id, read and checked without listing the others.
    public func recoveryPoint(id: String) throws -> StoredRecoveryPoint {
        let lowered = id.lowercased()
        guard lowered.count == 64, lowered.allSatisfy(\.isHexDigit) else {
            throw RepositoryError(.invalidArgument, "\"\(id)\" is not a recovery point id (64 hex digits)")
        }
        return try loadRecoveryPoint(lowered, opener: EnvelopeOpener(key: key))
    }
}
