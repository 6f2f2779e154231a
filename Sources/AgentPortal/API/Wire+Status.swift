/// The agent API's overview and registration messages (docs/agent-api.md, Overview and Registration).
import Foundation
import VaultProtocol

extension AgentAPI {
    /// The vault this machine is registered with, and as what.
    public struct Registration: Codable, Sendable, Equatable {
        public var vaultId, vaultName, vaultAddress, machineId, machineName: String
        public var registeredAt: String
    }

    /// `GET /registration`, `POST /registration`.
    public struct RegistrationState: Codable, Sendable, Equatable {
        public var registered: Bool
        public var registration: Registration?
    }

    /// One line of the overview's alerts.
    public struct Alert: Codable, Sendable, Equatable {
        /// `critical`, `warning` or `info`.
        public var severity: String
        public var message: String
    }

    /// `GET /status`: what the portal's Overview page shows.
    public struct Status: Codable, Sendable, Equatable {
        public var registration: Registration?
        public var lastBackup: Job?
        public var nextBackup: String?
        public var protectedBytes: UInt64
        public var alerts: [Alert]
        public var journal: Journal
    }

    /// The change journal, and how each item's next backup would run if it started now.
    public struct Journal: Codable, Sendable, Equatable {
        /// `running` or `unavailable`.
        public var state: String
        public var reason: String?
        public var items: [NextMode]

        public struct NextMode: Codable, Sendable, Equatable {
            public var kind: String
            public var name: String
            /// `optimized` or `unoptimized`.
            public var nextMode: String
            public var reason: String?
            public var changedDirectories: Int?
        }
    }

    /// `POST /registration`.
    public struct RegisterRequest: Decodable, Sendable {
        /// The credentials file's bytes: sent as its JSON object, or as base64 of the file.
        public var credentials: [UInt8]
        public var machineName: String
        public var passphrase: String
        public var takeOver: Bool

        enum CodingKeys: String, CodingKey { case credentials, machineName, passphrase, takeOver }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            machineName = try container.decode(String.self, forKey: .machineName)
            passphrase = try container.decode(String.self, forKey: .passphrase)
            takeOver = try container.decodeIfPresent(Bool.self, forKey: .takeOver) ?? false
            if let text = try? container.decode(String.self, forKey: .credentials) {
                guard let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                    throw APIError(.invalidRequest, field: "credentials",
                                   "credentials is a string but not base64; send the .VaultCredentials file's JSON object or its bytes in base64")
                }
                credentials = Array(bytes)
            } else {
                guard let file = try? container.decode(VaultCredentials.self, forKey: .credentials) else {
                    throw APIError(.invalidRequest, field: "credentials",
                                   "credentials is not a vault credentials file; download one from the vault portal and send its JSON object")
                }
                credentials = Array(try JSONEncoder().encode(file))
            }
        }
    }

    /// `POST /generated-passphrase`.
    public struct GeneratedPassphrase: Codable, Sendable, Equatable {
        public var passphrase: String
    }
}
