/// Registering through the portal: a real credentials file works; short passphrases, wrong files and expired or forged
/// credentials are refused with the reason, keeping what was typed but never the passphrase.
import Agent
import AgentPortal
import Foundation
import Testing

@Suite("agent portal registration", .serialized)
struct RegistrationTests {
    @Test("a real credentials file registers the server in the vault and the next page is Schedule backup")
    func registers() async throws {
        let harness = try AgentHarness()
        defer { Task { await harness.stop() } }
        let browser = try await harness.signedIn()
        try await harness.register(browser, name: "db-01")
        let registration = try #require(harness.agent.registration())
        #expect(registration.machineName == "db-01" && registration.vaultName == "Production")
        #expect(try harness.vault.machines(vault: harness.vaultId).map(\.name) == ["db-01"])
        #expect(try await browser.get("/schedule").text.contains("db-01 is registered with the vault Production"))
    }

    @Test("a short passphrase, a mismatch or a missing file re-render the form with reasons, keeping the name but not the passphrase")
    func validation() async throws {
        let harness = try AgentHarness()
        defer { Task { await harness.stop() } }
        let browser = try await harness.signedIn()
        let short = try await browser.upload("/register", from: "/register", [
            ("machineName", "files-02"), ("passphraseMode", "type"), ("passphrase", "too short"), ("confirm", "too short"),
        ], file: ("credentials", "x.VaultCredentials", try harness.credentialsFile()))
        #expect(short.status == 422)
        #expect(short.text.contains("Use at least 16 characters (this one has 9)"))
        #expect(short.text.contains("value=\"files-02\""), "the name stays")
        #expect(!short.text.contains("too short\""), "the passphrase is never echoed")

        let mismatch = try await browser.submit("/register", from: "/register", [
            ("machineName", "files-02"), ("passphraseMode", "type"), ("passphrase", AgentHarness.passphrase), ("confirm", "something else entirely"),
        ])
        #expect(mismatch.status == 422 && mismatch.text.contains("The two passphrases differ"))
        #expect(mismatch.text.contains("Choose the .VaultCredentials file"))
        #expect(harness.agent.registration() == nil)
    }

    @Test("files that are not credentials, expired credentials and forged ones are refused with the vault's reason")
    func refusals() async throws {
        let harness = try AgentHarness()
        defer { Task { await harness.stop() } }
        let browser = try await harness.signedIn()
        let fields = [("machineName", "web-01"), ("passphraseMode", "type"), ("passphrase", AgentHarness.passphrase),
                      ("confirm", AgentHarness.passphrase)]

        let notCredentials = try await browser.upload("/register", from: "/register", fields,
                                                      file: ("credentials", "notes.txt", Array("hello".utf8)))
        #expect(notCredentials.status == 422 && notCredentials.text.contains("This is not a vault credentials file"))

        let expiring = try harness.credentialsFile(hours: 1)
        harness.vaultClock.advance(hours: 2)
        let expired = try await browser.upload("/register", from: "/register", fields, file: ("credentials", "old.VaultCredentials", expiring))
        #expect(expired.status == 422)
        #expect(expired.text.contains("expired"), "the reason says the file expired")
        #expect(expired.text.contains("id=\"credentials-error\""), "next to the file field")

        var forged = try JSONSerialization.jsonObject(with: Data(try harness.credentialsFile())) as! [String: Any]
        forged["registrationKey"] = String(repeating: "A", count: (forged["registrationKey"] as! String).count)
        let forgedFile = Array(try JSONSerialization.data(withJSONObject: forged))
        let refused = try await browser.upload("/register", from: "/register", fields, file: ("credentials", "f.VaultCredentials", forgedFile))
        #expect(refused.status == 422)
        #expect(refused.text.contains("field-error"), "the vault's reason is shown: \(refused.text.prefix(0))")
        #expect(harness.agent.registration() == nil)
        #expect(try harness.vault.machines(vault: harness.vaultId).isEmpty)
    }

    @Test("a generated passphrase registers the server and is handed back once as a file to keep")
    func generatedPassphrase() async throws {
        let harness = try AgentHarness()
        defer { Task { await harness.stop() } }
        let browser = try await harness.signedIn()
        let page = try await browser.upload("/register", from: "/register", [("machineName", "web-01"), ("passphraseMode", "generate")],
                                            file: ("credentials", "c.VaultCredentials", try harness.credentialsFile()))
        #expect(page.status == 200 && page.text.contains("Save your passphrase"))
        let range = try #require(page.text.range(of: #"id="generated-passphrase">[^<]+<"#, options: .regularExpression))
        let passphrase = String(page.text[range].dropFirst("id=\"generated-passphrase\">".count).dropLast())
        #expect(passphrase.count >= 32)
        let file = try await browser.submit("/register/passphrase", from: "/overview", [("passphrase", passphrase)])
        #expect(file.status == 200)
        #expect(file.header("Content-Disposition") == "attachment; filename=\"web-01-haven-passphrase.txt\"")
        #expect(file.text.contains(passphrase))
        #expect(harness.agent.registration()?.machineName == "web-01")
    }
}
