import FileIO
import Foundation
import VaultProtocol

/// Registering this machine with a vault: reading and checking a vault credentials file, then `POST /register`.
public struct VaultRegistration: Sendable {
    public var settings: VaultConnection.Settings

    public init(settings: VaultConnection.Settings = VaultConnection.Settings()) {
        self.settings = settings
    }

    /// Reads a `.VaultCredentials` file and checks it before anything is sent: its format, its fields, and that it
    /// has not expired at `now` (seconds since the epoch).
    public static func readCredentials(at path: String, now: Int) throws(VaultClientError) -> VaultCredentials {
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(path) } catch {
            throw VaultClientError(.credentialsUnreadable, "cannot read the vault credentials file \(path): \(error); "
                + "check the path and that this user may read it")
        }
        guard let credentials = try? JSONDecoder().decode(VaultCredentials.self, from: Data(bytes)),
              credentials.format == VaultCredentials.formatName
        else {
            throw VaultClientError(.notCredentials, "\(path) is not a vault credentials file (a JSON file whose format is "
                + "\"\(VaultCredentials.formatName)\"); download one from the vault portal with Download vault credentials")
        }
        try validate(credentials, path: path, now: now)
        return credentials
    }

    static func validate(_ credentials: VaultCredentials, path: String, now: Int) throws(VaultClientError) {
        func invalid(_ what: String) -> VaultClientError {
            VaultClientError(.notCredentials, "the vault credentials file \(path) is damaged: \(what); download a new file from the vault portal")
        }
        let address = credentials.address.lowercased()
        guard address.hasPrefix("https://") || address.hasPrefix("http://") else { throw invalid("its address is not an http(s) URL") }
        guard !credentials.registrationKey.isEmpty else { throw invalid("it holds no registration key") }
        guard address.hasPrefix("http://") || !credentials.publicKeySHA256.isEmpty else {
            throw invalid("it names an HTTPS vault but not the key to pin")
        }
        guard let expires = RFC3339.seconds(credentials.expiresAt) else { throw invalid("its expiry is not a time") }
        guard now < expires else {
            throw VaultClientError(.credentialsExpired, "the vault credentials expired on \(RFC3339.human(expires)); "
                + "download a new file from the vault portal")
        }
    }

    /// Whether `name` may name a machine: 1 to 64 letters, digits, ".", "-" and "_".
    public static func isValidMachineName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "." || $0 == "-" || $0 == "_")
        }
    }

    /// Registers this machine and returns its credential (not yet saved).
    ///
    /// With `takeOver`, a machine of that name that is already registered keeps its id and its data and gets a new
    /// secret (a rebuilt server); without it the vault refuses with `machine_exists`. Registration is never retried
    /// once the vault may have received it, so one attempt uses the file up at most once.
    public func register(_ credentials: VaultCredentials, machineName: String, hostname: String, takeOver: Bool = false,
                         now: Int) throws(VaultClientError) -> MachineCredential {
        guard Self.isValidMachineName(machineName) else {
            throw VaultClientError(.invalidArgument, "\"\(machineName)\" cannot name a machine: use 1 to 64 letters, digits, \".\", \"-\" and \"_\"")
        }
        try Self.validate(credentials, path: "given", now: now)
        let connection = VaultConnection(address: credentials.address, publicKeySHA256: credentials.publicKeySHA256, settings: settings)
        let request = RegisterRequest(credentials: credentials, machineName: machineName, hostname: hostname, takeOver: takeOver)
        let answer: RegisterResponse
        do {
            answer = try connection.call("POST", "/register", body: request, as: RegisterResponse.self, idempotent: false,
                                         doing: "register this machine as \"\(machineName)\"")
        } catch where error.vaultCode == "machine_exists" {
            throw VaultClientError(.refused, error.message + "; if this is that machine, rebuilt, register again with --take-over, "
                + "otherwise choose another name with --name", vaultCode: error.vaultCode)
        }
        guard answer.machineId.count == 32, !answer.secret.isEmpty else {
            throw VaultClientError(.unexpectedAnswer, "the vault answered the registration without a machine id and secret")
        }
        return MachineCredential(credentials: credentials, answer: answer, machineName: machineName, registeredAt: RFC3339.format(now))
    }
}
