/// Settings: the cache folder rule, the throttle reaching the vault connection, notifications to a real webhook and
/// a small SMTP server, and the retention that needs a PIN.
import Backup
import Agent
import Foundation
import HTTPServer
import Synchronization
import Testing

@Suite("Agent settings", .serialized)
struct AgentSettingsTests {
    static let mounts = MountTable.parse("""
        /dev/sda1 / ext4 rw 0 0
        proc /proc proc rw 0 0
        server:/export /mnt/nfs nfs4 rw 0 0
        //nas/share /mnt/smb cifs rw 0 0
        user@host:/x /mnt/ssh fuse.sshfs rw 0 0
        /dev/sdb1 /media/usb\\040stick vfat rw 0 0
        """)

    @Test("the cache folder is refused on network filesystems and removable devices, with the reason")
    func cacheFolderRule() {
        let removable: (String) -> Bool = { $0 == "/dev/sdb1" }
        #expect(CacheFolderCheck.problem(path: "/var/cache/haven", mounts: Self.mounts, isRemovable: removable) == nil)
        #expect(CacheFolderCheck.problem(path: "/mnt/nfs/cache", mounts: Self.mounts, isRemovable: removable)?.contains("network filesystem (nfs4") == true)
        #expect(CacheFolderCheck.problem(path: "/mnt/smb", mounts: Self.mounts, isRemovable: removable)?.contains("cifs") == true)
        #expect(CacheFolderCheck.problem(path: "/mnt/ssh/c", mounts: Self.mounts, isRemovable: removable)?.contains("fuse.sshfs") == true)
        #expect(CacheFolderCheck.problem(path: "/media/usb stick/c", mounts: Self.mounts, isRemovable: removable)?.contains("removable device (/dev/sdb1)") == true)
        #expect(CacheFolderCheck.problem(path: "cache", mounts: Self.mounts, isRemovable: removable)?.contains("absolute") == true)
    }

    @Test("saveSettings creates a local cache folder and refuses bad values naming the field")
    func saveSettings() throws {
        let agent = try TestAgent(start: false)
        let cache = makeTemporaryDirectory("cache") + "/nested"
        var settings = try agent.service.settings()
        #expect(settings.cacheDirectory == agent.state + "/cache")
        settings.cacheDirectory = cache
        try agent.service.saveSettings(settings)
        #expect(try FileManager.default.fileExists(atPath: cache) && agent.service.settings().cacheDirectory == cache)

        func refused(_ change: (inout AgentSettings) -> Void) -> String? {
            var bad = settings
            change(&bad)
            do { try agent.service.saveSettings(bad) } catch let error as AgentError { return error.field } catch { return "?" }
            return nil
        }
        #expect(refused { $0.cacheDirectory = "relative/cache" } == "cacheDirectory")
        #expect(refused { $0.proxy = "proxy.example:3128" } == "proxy")
        #expect(refused { $0.webhookURL = "ftp://hooks.example" } == "webhookURL")
        #expect(refused { $0.smtp = .init(url: "smtp://mail:25", from: "agent", to: "ops@example.com") } == "smtp")
        #expect(refused {
            $0.throttle = .init(workBytesPerSecond: 100, otherBytesPerSecond: 1 << 20, workDays: [.monday],
                                workStart: TimeOfDay("09:00")!, workEnd: TimeOfDay("17:00")!)
        } == "throttle")
        #expect(try agent.service.settings().cacheDirectory == cache)
    }

    @Test("the throttle in force during and outside work hours reaches the vault connection, and so does the proxy")
    func throttle() throws {
        let agent = try TestAgent(start: false)
        var settings = try agent.service.settings()
        settings.throttle = .init(workBytesPerSecond: 100 << 10, otherBytesPerSecond: 5 << 20, workDays: [.monday, .tuesday],
                                  workStart: TimeOfDay("09:00")!, workEnd: TimeOfDay("17:30")!)
        settings.proxy = "http://proxy.example:3128"
        try agent.service.saveSettings(settings)
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = .gmt
        // 2026-11-23 is a Monday; the agent's clock zone is the machine's, so the instants are built in it.
        let zone = agent.service.configuration.timeZone
        utc.timeZone = zone
        let mondayMorning = utc.date(from: DateComponents(year: 2026, month: 11, day: 23, hour: 10, minute: 0))!
        let mondayEvening = utc.date(from: DateComponents(year: 2026, month: 11, day: 23, hour: 17, minute: 30))!
        let sunday = utc.date(from: DateComponents(year: 2026, month: 11, day: 22, hour: 10, minute: 0))!
        let working = try agent.service.vaultConnectionSettings(at: mondayMorning).http
        #expect(working.maxSendBytesPerSecond == 100 << 10 && working.maxReceiveBytesPerSecond == 100 << 10)
        #expect(working.proxy == .url("http://proxy.example:3128"))
        #expect(try agent.service.vaultConnectionSettings(at: mondayEvening).http.maxSendBytesPerSecond == 5 << 20)
        #expect(try agent.service.vaultConnectionSettings(at: sunday).http.maxSendBytesPerSecond == 5 << 20)
        settings.throttle = nil
        settings.proxy = nil
        try agent.service.saveSettings(settings)
        let free = try agent.service.vaultConnectionSettings(at: mondayMorning).http
        #expect(free.maxSendBytesPerSecond == nil && free.proxy == .environment)
    }

    @Test("a failed job is posted to the webhook and mailed through SMTP")
    func notifications() async throws {
        let received = Mutex<[[String: String]]>([])
        let hook = try Server(configuration: Server.Configuration()) { request in
            if let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] {
                received.withLock { $0.append(object.compactMapValues { $0 as? String }) }
            }
            return Response(status: 204)
        }
        defer { hook.stop() }
        let smtp = try SMTPServer()
        let vault = try TestVault()
        let agent = try TestAgent()
        defer { Task { await agent.stop() } }
        // A goal whose folder does not exist: the backup fails, and says why.
        try agent.register(vault, paths: ["/nonexistent/haven-agent-test-folder"])
        var settings = try agent.service.settings()
        settings.webhookURL = "http://127.0.0.1:\(hook.port)/hooks/haven"
        settings.smtp = .init(url: "smtp://127.0.0.1:\(smtp.port)", from: "agent@example.com", to: "ops@example.com")
        try agent.service.saveSettings(settings)
        let job = try #require(try agent.service.backUpNow(retainUntil: nil).first)
        let failed = try await agent.waitForJob(job.id)
        #expect(failed.state == .failed && failed.failureReason?.contains("/nonexistent/haven-agent-test-folder") == true)

        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, received.withLock({ $0.isEmpty }) || smtp.messages.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        let posted = try #require(received.withLock { $0.first })
        #expect(posted["event"] == "job.failed" && posted["machine"] == "web-01")
        #expect(posted["message"]?.contains("job \(job.id)") == true)
        let mail = try #require(smtp.messages.first)
        #expect(mail.from == "agent@example.com" && mail.to == ["ops@example.com"])
        #expect(mail.data.contains("Subject: Haven: a job failed on web-01") && mail.data.contains("/nonexistent/haven-agent-test-folder"))
        #expect(try agent.service.overview().alerts.contains { $0.severity == "critical" && $0.message.contains("failed") })
    }

    @Test("a first retention policy and a lower one need a security PIN; an unchanged one does not")
    func retentionNeedsPIN() throws {
        let vault = try TestVault()
        let agent = try TestAgent(start: false)
        try agent.register(vault)
        let schedule = try BackupSchedule(frequency: .weekly([.friday]), times: [TimeOfDay("22:30")!], timeZoneIdentifier: "UTC")
        var goal = try BackupGoal(paths: ["/srv"], schedule: schedule, retention: RetentionSettings(daily: 30, weekly: 8, monthly: 6, yearly: 1))
        do {
            try agent.service.saveGoal(goal, securityPIN: nil)
            Issue.record("a first policy was stored without a PIN")
        } catch let error as AgentError {
            #expect(error.code == .needsPIN && error.field == "securityPIN" && error.message.contains("vault portal"))
        }
        #expect(try agent.service.goal() == nil)
        try agent.service.saveGoal(goal, securityPIN: try vault.pin())
        #expect(try agent.service.goal() == goal)
        #expect(try vault.service.policy(machine: try #require(agent.service.registration()).machineId)?.daily == 30)
        goal.exclusions = [try Exclusion(folder: "/srv/cache")]
        try agent.service.saveGoal(goal, securityPIN: nil)
        goal.retention.daily = 7
        let lowering = #expect(throws: AgentError.self) { try agent.service.saveGoal(goal, securityPIN: nil) }
        #expect(lowering?.code == .needsPIN)
        #expect(try agent.service.goal()?.retention.daily == 30)
    }
}

/// Just enough of an SMTP server on loopback for one client at a time: it records the envelope and the message.
final class SMTPServer: @unchecked Sendable {
    // @unchecked: `socket` and `port` are set once; the inbox is a Mutex.
    struct Message: Sendable { var from: String; var to: [String]; var data: String }

    let port: UInt16
    private let socket: Int32
    private final class Inbox: Sendable { let messages = Mutex<[Message]>([]) }
    private let recorded = Inbox()

    var messages: [Message] { recorded.messages.withLock { $0 } }

    init() throws {
        let listening = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listening, $0, length) } }
        listen(listening, 4)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listening, $0, &length) } }
        socket = listening
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [recorded] in
            while true {
                let client = accept(listening, nil, nil)
                guard client >= 0 else { return }
                if let message = Self.converse(client) { recorded.messages.withLock { $0.append(message) } }
                close(client)
            }
        }
    }

    deinit {
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }

    private static func converse(_ client: Int32) -> Message? {
        var buffer: [UInt8] = []
        func send(_ line: String) { _ = line.utf8CString.withUnsafeBufferPointer { write(client, $0.baseAddress, $0.count - 1) } }
        func readLine() -> String? {
            while true {
                if let end = buffer.firstIndex(of: 10) {
                    let line = String(decoding: buffer[..<end], as: UTF8.self).trimmingCharacters(in: .newlines)
                    buffer.removeSubrange(...end)
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = read(client, &chunk, chunk.count)
                guard count > 0 else { return nil }
                buffer += chunk[..<count]
            }
        }
        var message = Message(from: "", to: [], data: "")
        send("220 test SMTP ready\r\n")
        while let line = readLine() {
            let upper = line.uppercased()
            if upper.hasPrefix("EHLO") || upper.hasPrefix("HELO") {
                send("250 test\r\n")
            } else if upper.hasPrefix("MAIL FROM:") {
                message.from = line.dropFirst(10).trimmingCharacters(in: CharacterSet(charactersIn: "<> "))
                send("250 OK\r\n")
            } else if upper.hasPrefix("RCPT TO:") {
                message.to.append(line.dropFirst(8).trimmingCharacters(in: CharacterSet(charactersIn: "<> ")))
                send("250 OK\r\n")
            } else if upper == "DATA" {
                send("354 go ahead\r\n")
                var lines: [String] = []
                while let body = readLine(), body != "." { lines.append(body) }
                message.data = lines.joined(separator: "\n")
                send("250 OK queued\r\n")
            } else if upper == "QUIT" {
                send("221 bye\r\n")
                return message
            } else {
                send("250 OK\r\n")
            }
        }
        return message.data.isEmpty ? nil : message
    }
}
