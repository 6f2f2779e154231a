/// The real `haven vault` binary: create a vault, serve HTTPS, issue credentials, register over the pinned key with curl.
import FileIO
import Foundation
import Glibc
import Testing

@Suite("haven vault, end to end", .serialized)
struct VaultCLITests {
    @Test("serve makes a certificate, credentials carry its pin, a machine registers over HTTPS, SIGTERM stops it cleanly")
    func serveAndRegister() throws {
        let temp = try TempDir()
        let data = temp.sub("vault")
        let cli = CLI(repository: temp.sub("unused"))
        let created = try cli.run(["vault", "create", "Production", "--data", data, "--json"])
        #expect(created.status == 0, "\(created.stderr)")

        let server = Process()
        server.executableURL = URL(fileURLWithPath: CLI.binary)
        server.arguments = ["vault", "serve", "--data", data, "--listen", "127.0.0.1:0"]
        server.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        server.standardError = errors
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        var address: String?
        for _ in 0..<100 where address == nil {
            if let bytes = try? FileIO.readFile(data + "/address") { address = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            else { usleep(100_000) }
        }
        let base = try #require(address)
        #expect(base.hasPrefix("https://127.0.0.1:"))
        var keyStatus = stat()
        #expect(stat(data + "/tls/key.pem", &keyStatus) == 0 && keyStatus.st_mode & 0o777 == 0o600)

        let file = temp.sub("prod.VaultCredentials")
        let issued = try cli.run(["vault", "credentials", "Production", "--data", data, "--out", file, "--hours", "2"])
        #expect(issued.status == 0, "\(issued.stderr)")
        let credentials = try #require(try JSONSerialization.jsonObject(with: Data(FileIO.readFile(file))) as? [String: Any])
        let pin = try #require(credentials["publicKeySHA256"] as? String)
        #expect(credentials["address"] as? String == base)

        let body = try JSONSerialization.data(withJSONObject: ["credentials": credentials, "machineName": "web-01", "hostname": "web-01"])
        try Data(body).write(to: URL(fileURLWithPath: temp.sub("register.json")))
        let wrongPin = try Self.curl(["--pinnedpubkey", "sha256//" + String(repeating: "A", count: 43) + "=", base + "/api/v1/machines"])
        #expect(wrongPin.status != 0, "a different key is refused")
        let registered = try Self.curl(["--pinnedpubkey", "sha256//" + pin, "-X", "POST", "-H", "Content-Type: application/json",
                                        "--data-binary", "@" + temp.sub("register.json"), base + "/api/v1/register"])
        #expect(registered.stdout.hasSuffix("201"), "\(registered.stdout)")
        #expect(registered.stdout.contains("\"machineId\""))
        let replay = try Self.curl(["--pinnedpubkey", "sha256//" + pin, "-X", "POST", "--data-binary", "@" + temp.sub("register.json"),
                                    base + "/api/v1/register"])
        #expect(replay.stdout.contains("credentials_used_up") && replay.stdout.hasSuffix("401"), "\(replay.stdout)")

        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        #expect(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("stopped"))
    }

    /// Starts `haven vault serve` on a free loopback port over plain HTTP and waits for its address file.
    static func serve(_ data: String) throws -> (Process, String) {
        try? FileIO.removeFile(data + "/address")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: CLI.binary)
        server.arguments = ["vault", "serve", "--data", data, "--listen", "127.0.0.1:0", "--insecure-http"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        for _ in 0..<100 {
            if let bytes = try? FileIO.readFile(data + "/address") {
                return (server, String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            usleep(100_000)
        }
        kill(server.processIdentifier, SIGKILL)
        throw CLIError("vault serve did not write its address")
    }

    @Test("SIGTERM while an upload is arriving lets it finish: the client gets 201 and the object is there after a restart")
    func stopDuringUpload() throws {
        let temp = try TempDir()
        let data = temp.sub("vault")
        let cli = CLI(repository: temp.sub("unused"))
        #expect(try cli.run(["vault", "create", "Production", "--data", data]).status == 0)
        var (server, base) = try Self.serve(data)
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }

        let file = temp.sub("prod.VaultCredentials")
        #expect(try cli.run(["vault", "credentials", "Production", "--data", data, "--out", file]).status == 0)
        let credentials = try JSONSerialization.jsonObject(with: Data(FileIO.readFile(file)))
        try JSONSerialization.data(withJSONObject: ["credentials": credentials, "machineName": "web-01", "hostname": "web-01"])
            .write(to: URL(fileURLWithPath: temp.sub("register.json")))
        let registered = try Self.curl(["-X", "POST", "--data-binary", "@" + temp.sub("register.json"), base + "/api/v1/register"])
        let machine = try #require(try JSONSerialization.jsonObject(with: Data(registered.stdout.dropLast(3).utf8)) as? [String: Any])
        let id = try #require(machine["machineId"] as? String), secret = try #require(machine["secret"] as? String)
        let leased = try Self.curl(["-u", "\(id):\(secret)", "-X", "POST", "--data", "{}", base + "/api/v1/machines/\(id)/leases"])
        let lease = try #require((try JSONSerialization.jsonObject(with: Data(leased.stdout.dropLast(3).utf8)) as? [String: Any])?["id"] as? String)

        // 3 MB sent at 1 MB/s: the server is told to stop a second into it.
        let bytes = (0..<3_000_000).map { _ in UInt8.random(in: 0...255) }
        try FileIO.writeFileAtomically(temp.sub("pack"), bytes, durable: false)
        let hashed = Process()
        hashed.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        hashed.arguments = [temp.sub("pack")]
        let hashOut = Pipe()
        hashed.standardOutput = hashOut
        try hashed.run()
        let name = String(String(decoding: hashOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64))
        hashed.waitUntilExit()
        let upload = Process()
        upload.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        upload.arguments = ["-sS", "--max-time", "30", "-o", "/dev/null", "-w", "%{http_code}", "--limit-rate", "1M",
                            "-u", "\(id):\(secret)", "-H", "Haven-Lease: \(lease)", "-T", temp.sub("pack"),
                            base + "/api/v1/machines/\(id)/objects/data/\(name)"]
        let out = Pipe()
        upload.standardOutput = out
        try upload.run()
        usleep(1_000_000)
        kill(server.processIdentifier, SIGTERM)
        let status = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        upload.waitUntilExit()
        server.waitUntilExit()
        #expect(status == "201", "the upload in flight was answered \(status)")
        #expect(server.terminationStatus == 0)

        (server, base) = try Self.serve(data)
        let head = try Self.curl(["-u", "\(id):\(secret)", "-I", base + "/api/v1/machines/\(id)/objects/data/\(name)"])
        #expect(head.stdout.hasSuffix("200") && head.stdout.contains("Content-Length: 3000000"), "\(head.stdout)")
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
    }

    @Test("plain HTTP is refused on a non-loopback address")
    func insecureRefused() throws {
        let temp = try TempDir()
        let result = try CLI(repository: temp.sub("unused")).run(["vault", "serve", "--data", temp.sub("vault"), "--listen", "0.0.0.0:0", "--insecure-http"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("refusing plain HTTP"), "\(result.stderr)")
    }

    /// Runs curl (insecure CA checks, since the pin is the trust anchor) and returns the body followed by the status code.
    static func curl(_ arguments: [String]) throws -> CLI.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "-k", "--max-time", "10", "-w", "%{http_code}"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLI.Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                          stderr: String(decoding: stderr, as: UTF8.self))
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
