import ObjectStore
import VaultProtocol

/// A registered machine talking to its vault: the other machines of the vault, recovery points, and object stores.
public final class VaultSession: Sendable {
    public let credential: MachineCredential
    public let connection: VaultConnection

    public init(credential: MachineCredential, settings: VaultConnection.Settings = VaultConnection.Settings()) {
        self.credential = credential
        connection = VaultConnection(address: credential.address, publicKeySHA256: credential.publicKeySHA256,
                                     machineId: credential.machineId, secret: credential.secret, settings: settings)
    }

    /// The objects of `machineId` (this machine's own by default) as an ObjectStore.
    public func objectStore(machineId: String? = nil, options: VaultObjectStore.Options = VaultObjectStore.Options()) -> VaultObjectStore {
        VaultObjectStore(connection: connection, ownMachineId: credential.machineId, machineId: machineId, options: options)
    }

    /// Every machine of the vault, this one included.
    public func machines() throws(VaultClientError) -> [MachineSummary] {
        try connection.call("GET", "/machines", as: MachineList.self, doing: "list the vault's machines").machines
    }

    /// The machine whose id or name is `reference`; a name must be unambiguous.
    public func machine(_ reference: String) throws(VaultClientError) -> MachineSummary {
        let all = try machines()
        if let byID = all.first(where: { $0.id == reference.lowercased() }) { return byID }
        let named = all.filter { $0.name == reference }
        switch named.count {
        case 1: return named[0]
        case 0:
            throw VaultClientError(.invalidArgument, "the vault \"\(credential.vaultName)\" has no machine named or numbered \"\(reference)\"; "
                + "its machines are: \(all.map(\.name).sorted().joined(separator: ", "))")
        default:
            throw VaultClientError(.invalidArgument, "\(named.count) machines of the vault are named \"\(reference)\"; give the machine's id: "
                + named.map(\.id).joined(separator: ", "))
        }
    }

    /// The live recovery points of `machineId` (this machine by default), newest first, of one item or of all.
    public func recoveryPoints(machineId: String? = nil, item: BackupItem? = nil) throws(VaultClientError) -> [RecoveryPointSummary] {
        var path = "/machines/\(machineId ?? credential.machineId)/recovery-points"
        if let item { path += "?kind=\(Self.escape(item.kind))&name=\(Self.escape(item.name))" }
        return try connection.call("GET", path, as: RecoveryPointList.self, doing: "list recovery points").recoveryPoints
    }

    /// The backup items of `machineId` (this machine by default).
    public func items(machineId: String? = nil) throws(VaultClientError) -> [ItemSummary] {
        try connection.call("GET", "/machines/\(machineId ?? credential.machineId)/items", as: ItemList.self, doing: "list backup items").items
    }

    /// Percent-encodes a query value.
    static func escape(_ value: String) -> String {
        var result = ""
        for byte in value.utf8 {
            let scalar = Unicode.Scalar(byte)
            if scalar.isASCII, byte.isAlphanumericASCII || "-._~".unicodeScalars.contains(scalar) {
                result.unicodeScalars.append(scalar)
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded
            }
        }
        return result
    }
}

extension UInt8 {
    fileprivate var isAlphanumericASCII: Bool { (0x30...0x39).contains(self) || (0x41...0x5a).contains(self) || (0x61...0x7a).contains(self) }
}

extension String {
    fileprivate var leftPadded: String { count == 1 ? "0" + self : self }
}
