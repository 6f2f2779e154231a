/// APITokens owns the agent API's bearer token: drawn at first start, handed to the local root CLI through a
/// 0600 file, kept by the agent only as its SHA-256, and checked in constant time.
import Crypto
import FileIO
import Foundation

/// The one API token of an agent.
public struct APITokens: Sendable {
    /// The file the token is written to once, for the CLI: STATE/api-token.
    public static let tokenFileName = "api-token"
    /// The file the agent keeps the token's SHA-256 in (hex): STATE/api-token.sha256.
    public static let hashFileName = "api-token.sha256"

    private let hash: [UInt8]
    /// Whether this start drew the token (it was just written to `tokenPath`).
    public let created: Bool
    /// Where the token was written for the CLI.
    public let tokenPath: String

    /// Loads the token's hash from `stateDirectory`; at the first start draws a token, writes it to
    /// STATE/api-token (mode 0600) and then its hash, so a start interrupted in between draws a new one next time.
    public init(stateDirectory: String) throws(APITokenError) {
        tokenPath = stateDirectory + "/" + Self.tokenFileName
        let hashPath = stateDirectory + "/" + Self.hashFileName
        if FileIO.exists(hashPath) {
            let bytes: [UInt8]
            do { bytes = try FileIO.readFile(hashPath) } catch {
                throw APITokenError("cannot read \(hashPath): \(error); check that the agent may read its state directory")
            }
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let hash = Hex.decode(text), hash.count == SHA256.byteCount else {
                throw APITokenError("\(hashPath) does not hold a SHA-256 in hex; delete it and \(tokenPath), "
                    + "then start the agent again to draw a new API token")
            }
            self.hash = hash
            created = false
            return
        }
        let token = Self.draw()
        hash = SHA256.hash(Array(token.utf8))
        do {
            try FileIO.makeDirectories(stateDirectory, mode: 0o700)
            try FileIO.writeFileAtomically(tokenPath, Array((token + "\n").utf8), mode: 0o600)
            try FileIO.writeFileAtomically(hashPath, Array((Hex.encode(hash) + "\n").utf8), mode: 0o600)
        } catch {
            throw APITokenError("cannot write the API token to \(stateDirectory): \(error); check that the agent may write its state directory")
        }
        created = true
    }

    /// Whether `presented` is the token: compares SHA-256 hashes in constant time, so timing reveals nothing of the token.
    public func verify(_ presented: String) -> Bool {
        constantTimeEquals(SHA256.hash(Array(presented.utf8)), hash)
    }

    /// 32 random bytes as 43 characters of base64url without padding.
    static func draw() -> String {
        Data(SecureRandom.bytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// The API token could not be read or set up; the message says what to do.
public struct APITokenError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code = "api_token"
    public let message: String

    init(_ message: String) { self.message = message }

    public var description: String { message }
}
