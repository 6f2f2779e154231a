/// The API token store: drawn once, handed over in a 0600 file, kept only as its SHA-256.
import AgentPortal
import Crypto
import FileIO
import Foundation
import Testing

@Suite("API tokens")
struct APITokensTests {
    @Test("the first start writes a 43-character token only its owner can read, and keeps only the token's SHA-256")
    func firstStart() throws {
        let state = try temporaryDirectory("api-tokens")
        defer { try? FileIO.removeTree(state) }
        let tokens = try APITokens(stateDirectory: state)
        #expect(tokens.created)
        let token = String(decoding: try FileIO.readFile(state + "/api-token"), as: UTF8.self).trimmingCharacters(in: .newlines)
        #expect(token.count == 43)
        #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        for name in ["api-token", "api-token.sha256"] {
            var status = stat()
            #expect(stat(state + "/" + name, &status) == 0 && status.st_mode & 0o777 == 0o600, "\(name)")
        }
        let stored = String(decoding: try FileIO.readFile(state + "/api-token.sha256"), as: UTF8.self).trimmingCharacters(in: .newlines)
        #expect(stored == Hex.encode(SHA256.hash(Array(token.utf8))))
        #expect(!stored.contains(token))
        #expect(tokens.verify(token))
        #expect(!tokens.verify(token + "x"))
        #expect(!tokens.verify(String(token.dropLast())))
        #expect(!tokens.verify(""))
    }

    @Test("a later start keeps the token: nothing is drawn and the same token verifies; tokens of two agents differ")
    func laterStart() throws {
        let state = try temporaryDirectory("api-tokens")
        let other = try temporaryDirectory("api-tokens")
        defer {
            try? FileIO.removeTree(state)
            try? FileIO.removeTree(other)
        }
        _ = try APITokens(stateDirectory: state)
        let token = String(decoding: try FileIO.readFile(state + "/api-token"), as: UTF8.self).trimmingCharacters(in: .newlines)
        try FileIO.removeFile(state + "/api-token")
        let again = try APITokens(stateDirectory: state)
        #expect(!again.created)
        #expect(again.verify(token))
        #expect(!FileIO.exists(state + "/api-token"), "the token file is written once, never again")
        _ = try APITokens(stateDirectory: other)
        let otherToken = String(decoding: try FileIO.readFile(other + "/api-token"), as: UTF8.self).trimmingCharacters(in: .newlines)
        #expect(otherToken != token)
        #expect(!again.verify(otherToken))
    }

    @Test("a damaged hash file is refused with what to do")
    func damagedHash() throws {
        let state = try temporaryDirectory("api-tokens")
        defer { try? FileIO.removeTree(state) }
        try FileIO.writeFileAtomically(state + "/api-token.sha256", Array("not a hash\n".utf8))
        let error = #expect(throws: APITokenError.self) { try APITokens(stateDirectory: state) }
        #expect(error?.message.contains("delete it") == true, "\(String(describing: error))")
    }
}
