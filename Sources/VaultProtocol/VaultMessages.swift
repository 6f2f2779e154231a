/// Request and response bodies of the vault API, one struct per JSON shape in docs/vault-api.md.

/// The body of every error answer.
public struct VaultErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        /// For `missing_objects`: the `KIND/NAME` of each object that does not exist.
        public var missing: [String]?

        public init(code: String, message: String, missing: [String]? = nil) {
            self.code = code
            self.message = message
            self.missing = missing
        }
    }

    public var error: Detail

    public init(code: String, message: String, missing: [String]? = nil) {
        error = Detail(code: code, message: message, missing: missing)
    }
}

/// `POST /api/v1/register`.
public struct RegisterRequest: Codable, Sendable, Equatable {
    public var credentials: VaultCredentials
    public var machineName: String
    public var hostname: String
    public var takeOver: Bool?

    public init(credentials: VaultCredentials, machineName: String, hostname: String, takeOver: Bool = false) {
        self.credentials = credentials
        self.machineName = machineName
        self.hostname = hostname
        self.takeOver = takeOver
    }
}

/// The answer to a registration: the machine credential, shown once.
public struct RegisterResponse: Codable, Sendable, Equatable {
    public var machineId: String
    public var secret: String
    public var vaultId: String
    public var vaultName: String

    public init(machineId: String, secret: String, vaultId: String, vaultName: String) {
        self.machineId = machineId
        self.secret = secret
        self.vaultId = vaultId
        self.vaultName = vaultName
    }
}

/// One machine of a vault, as `GET /api/v1/machines` lists it.
public struct MachineSummary: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var hostname: String
    /// "registered" or "unregistered".
    public var state: String
    public var registeredAt: String
    public var lastBackupAt: String?

    public init(id: String, name: String, hostname: String, state: String, registeredAt: String, lastBackupAt: String?) {
        self.id = id
        self.name = name
        self.hostname = hostname
        self.state = state
        self.registeredAt = registeredAt
        self.lastBackupAt = lastBackupAt
    }
}

public struct MachineList: Codable, Sendable, Equatable {
    public var machines: [MachineSummary]
    public init(machines: [MachineSummary]) { self.machines = machines }
}

/// What a machine protects: `kind` is "files", "volume" or "system-state".
public struct BackupItemRef: Codable, Sendable, Hashable {
    public static let kinds = ["files", "volume", "system-state"]

    public var kind: String
    public var name: String

    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }
}

public struct ItemSummary: Codable, Sendable, Equatable {
    public var kind: String
    public var name: String
    public var recoveryPoints: Int
    public var lastBackupAt: String?
    public var size: Int64

    public init(kind: String, name: String, recoveryPoints: Int, lastBackupAt: String?, size: Int64) {
        self.kind = kind
        self.name = name
        self.recoveryPoints = recoveryPoints
        self.lastBackupAt = lastBackupAt
        self.size = size
    }
}

public struct ItemList: Codable, Sendable, Equatable {
    public var items: [ItemSummary]
    public init(items: [ItemSummary]) { self.items = items }
}

/// One page of an object listing.
public struct ObjectListPage: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var name: String
        public var size: Int64
        public init(name: String, size: Int64) {
            self.name = name
            self.size = size
        }
    }

    public var objects: [Entry]
    /// The `after` of the next page; nil on the last page.
    public var next: String?

    public init(objects: [Entry], next: String?) {
        self.objects = objects
        self.next = next
    }
}

/// `POST` and `PUT` of a lease.
public struct LeaseRequest: Codable, Sendable, Equatable {
    public var seconds: Int?
    public init(seconds: Int? = nil) { self.seconds = seconds }
}

public struct LeaseResponse: Codable, Sendable, Equatable {
    public var id: String
    public var expiresAt: String
    public init(id: String, expiresAt: String) {
        self.id = id
        self.expiresAt = expiresAt
    }
}

/// `POST /api/v1/machines/{me}/recovery-points`.
public struct CommitRecoveryPointRequest: Codable, Sendable, Equatable {
    /// The name of the uploaded `recovery-points` object.
    public var object: String
    public var item: BackupItemRef
    public var time: String
    /// The protected size in bytes.
    public var size: Int64
    public var retainUntil: String?
    /// `KIND/NAME` of every object a restore of the point needs besides the point itself.
    public var references: [String]

    public init(object: String, item: BackupItemRef, time: String, size: Int64, retainUntil: String? = nil,
                references: [String]) {
        self.object = object
        self.item = item
        self.time = time
        self.size = size
        self.retainUntil = retainUntil
        self.references = references
    }
}

public struct CommitRecoveryPointResponse: Codable, Sendable, Equatable {
    public var id: String
    public var state: String
    public init(id: String, state: String) {
        self.id = id
        self.state = state
    }
}

public struct RecoveryPointSummary: Codable, Sendable, Equatable {
    public var id: String
    public var item: BackupItemRef
    public var time: String
    public var size: Int64
    public var retainUntil: String?

    public init(id: String, item: BackupItemRef, time: String, size: Int64, retainUntil: String?) {
        self.id = id
        self.item = item
        self.time = time
        self.size = size
        self.retainUntil = retainUntil
    }
}

public struct RecoveryPointList: Codable, Sendable, Equatable {
    public var recoveryPoints: [RecoveryPointSummary]
    public init(recoveryPoints: [RecoveryPointSummary]) { self.recoveryPoints = recoveryPoints }
}

/// A retention policy: how many daily, weekly, monthly and yearly points to keep per item.
public struct RetentionPolicyBody: Codable, Sendable, Equatable {
    public var daily: Int
    public var weekly: Int
    public var monthly: Int
    public var yearly: Int

    public init(daily: Int, weekly: Int, monthly: Int, yearly: Int) {
        self.daily = daily
        self.weekly = weekly
        self.monthly = monthly
        self.yearly = yearly
    }
}

/// `POST /api/v1/machines/{me}/stop-protection`.
public struct StopProtectionRequest: Codable, Sendable, Equatable {
    public var deleteData: Bool
    public init(deleteData: Bool) { self.deleteData = deleteData }
}
