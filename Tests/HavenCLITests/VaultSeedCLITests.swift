/// `haven vault import-seed` refuses what is not a seed with the reason, in words and in JSON.
import FileIO
import Foundation
import Testing

@Suite("haven vault import-seed")
struct VaultSeedCLITests {
    @Test("a folder without a seed, an unreadable manifest and a seed of an unknown machine are refused with the reason")
    func refusals() throws {
        let temp = try TempDir()
        let data = temp.sub("vault")
        let cli = CLI(repository: temp.sub("unused"))
        #expect(try cli.run(["vault", "create", "Production", "--data", data]).status == 0)

        let empty = temp.sub("disk")
        try FileIO.makeDirectories(empty, mode: 0o700)
        let none = try cli.run(["vault", "import-seed", "Production", empty, "--data", data])
        #expect(none.status != 0 && none.stderr.contains("holds no seed"), "\(none.stderr)")

        let seed = empty + "/" + String(repeating: "ab", count: 16)
        try FileIO.makeDirectories(seed, mode: 0o700)
        try FileIO.writeFileAtomically(seed + "/manifest.json", Array("{\"format\": 1".utf8), mode: 0o600)
        let unreadable = try cli.run(["vault", "import-seed", "Production", empty, "--data", data])
        #expect(unreadable.status != 0 && unreadable.stderr.contains("is not a readable seed manifest"), "\(unreadable.stderr)")

        let vaultId = try #require((CLI.json(try cli.run(["vault", "create", "Other", "--data", data, "--json"]).stdout) as? [String: Any])?["id"] as? String)
        let manifest = """
            {"format": "haven-seed", "version": 1, "vault": "\(vaultId)", "machine": "\(String(repeating: "ab", count: 16))",
             "machineName": "web-09", "createdAt": "2026-11-24T09:00:00Z",
             "recoveryPoint": {"object": "\(String(repeating: "0", count: 64))", "item": {"kind": "files", "name": "Files and folders"},
                               "time": "2026-11-24T08:00:00Z", "size": 0, "references": []},
             "objects": [], "totalObjects": 0, "totalBytes": 0}
            """
        try FileIO.writeFileAtomically(seed + "/manifest.json", Array(manifest.utf8), mode: 0o600)
        let wrongVault = try cli.run(["vault", "import-seed", "Production", seed, "--data", data, "--json"])
        #expect(wrongVault.status != 0)
        let refusal = try #require(CLI.json(wrongVault.stdout) as? [String: Any])
        #expect((refusal["error"] as? String)?.contains("written for another vault") == true, "\(wrongVault.stdout)")
        let unknown = try cli.run(["vault", "import-seed", "Other", seed, "--data", data])
        #expect(unknown.status != 0 && unknown.stderr.contains("which is not a machine of vault Other"), "\(unknown.stderr)")
    }
}
