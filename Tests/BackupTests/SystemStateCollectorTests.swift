// Tests for the system state collector on this machine: real dpkg, sfdisk and systemctl, tools that are absent,
// commands that fail, hang or talk too much, and the manifest it writes.
import Backup
import FileIO
import Foundation
import SystemTesting
import Testing

@Suite("System state collector", .serialized)
struct SystemStateCollectorTests {
    func configuration(_ scratch: Scratch) -> SystemStateCollector.Configuration {
        SystemStateCollector.Configuration(stagingDirectory: scratch.sub("staging"), hostname: "test-host", collectedAt: "2026-12-03T02:00:00Z")
    }

    func component(_ manifest: SystemStateManifest, _ id: String) throws -> SystemStateManifest.Component {
        try #require(manifest.components.first { $0.id == id })
    }

    func isInstalled(_ tool: String) -> Bool {
        ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].contains { access($0 + "/" + tool, X_OK) == 0 }
    }

    @Test("this machine's system state: every component recorded, dpkg's packages with versions, absent tools as not present")
    func collectsThisMachine() throws {
        let scratch = try Scratch()
        let collection = try SystemStateCollector(configuration: configuration(scratch)).collect()
        let manifest = collection.manifest
        #expect(manifest.components.map(\.id) == ["etc", "boot", "packages", "accounts", "schedules", "units", "storage", "network", "firewall"])
        #expect(try component(manifest, "etc").status == .ok)
        #expect(try component(manifest, "accounts").status == .ok)
        #expect(collection.livePaths.contains("/etc"))
        #expect(collection.archivePaths.last == SystemStateManifest.virtualRoot)
        #expect(collection.readFrom == [SystemStateManifest.virtualRoot: scratch.sub("staging")])

        // The manifest on disk is the one returned, and reads back through the untrusted-input checks.
        let written = try FileIO.readFile(scratch.sub("staging/manifest.json"))
        #expect(try SystemStateManifest.decode(written) == manifest)

        let packages = try component(manifest, "packages")
        if isInstalled("dpkg-query") {
            #expect(packages.status == .ok)
            let listed = String(decoding: try FileIO.readFile(scratch.sub("staging/packages/dpkg-packages.tsv")), as: UTF8.self)
            let version = try Tool.output("/usr/bin/dpkg-query", ["-W", "-f", "${Version}", "dpkg"])
            #expect(listed.split(separator: "\n").contains { $0.hasPrefix("dpkg\t\(version)\t") })
            let selections = String(decoding: try FileIO.readFile(scratch.sub("staging/packages/dpkg-selections.txt")), as: UTF8.self)
            #expect(selections.contains("dpkg"))
        }
        if !isInstalled("rpm") {
            #expect(packages.commands.first { $0.arguments[0] == "rpm" }?.status == .notPresent)
            #expect(!FileIO.exists(scratch.sub("staging/packages/rpm-packages.tsv")))
        }
        let firewall = try component(manifest, "firewall")
        if !isInstalled("nft") && !isInstalled("iptables-save") && !FileIO.exists("/etc/nftables.conf") && !FileIO.exists("/etc/iptables") {
            #expect(firewall.status == .notPresent)
            #expect(firewall.commands.allSatisfy { $0.status == .notPresent && $0.message?.contains("not installed") == true })
        }
        let storage = try component(manifest, "storage")
        if !isInstalled("lvm") && !isInstalled("vgcfgbackup") {
            #expect(storage.commands.first { $0.arguments[0] == "vgcfgbackup" }?.status == .notPresent)
        }
        // Each disk of /sys/block got its sfdisk command, whatever it answered; a refusal is recorded with its reason.
        for sfdisk in storage.commands where sfdisk.arguments[0] == "sfdisk" {
            #expect(sfdisk.status == .ok || sfdisk.message?.isEmpty == false)
        }
        #expect(storage.status != .ok || storage.commands.allSatisfy { $0.status != .failed })
        if FileIO.isDirectory("/etc/systemd/system") {
            let wants = String(decoding: try FileIO.readFile(scratch.sub("staging/units/wants.txt")), as: UTF8.self)
            let folders = try FileIO.listDirectory("/etc/systemd/system").filter { $0.hasSuffix(".wants") }
            for folder in folders { #expect(wants.contains(folder + "\t")) }
        }
        // A component's warnings name only failed or partial components.
        let troubled = manifest.components.filter { $0.status == .failed || $0.status == .partial }
        #expect(collection.warnings.count == troubled.count)
    }

    @Test("a partition table is dumped as sfdisk dumps it; a disk without one is noted, a missing disk fails the storage part")
    func partitionTables() throws {
        let scratch = try Scratch()
        let gpt = scratch.sub("gpt.img"), blank = scratch.sub("blank.img")
        #expect(FileManager.default.createFile(atPath: gpt, contents: nil))
        #expect(truncate(gpt, 16 << 20) == 0)
        #expect(FileManager.default.createFile(atPath: blank, contents: nil))
        #expect(truncate(blank, 4 << 20) == 0)
        let script = scratch.sub("layout")
        try FileIO.writeFileAtomically(script, Array("label: gpt\nsize=4MiB, type=linux\nsize=2MiB, type=swap\n".utf8), durable: false)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/sfdisk")
        process.arguments = ["-q", gpt]
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: script))
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        var configuration = configuration(scratch)
        configuration.disks = [gpt, blank, scratch.sub("no-such-disk")]
        let manifest = try SystemStateCollector(configuration: configuration).collect().manifest
        let storage = try component(manifest, "storage")
        let commands = storage.commands.filter { $0.arguments[0] == "sfdisk" }
        #expect(commands.map(\.output) == ["gpt.img", "blank.img", "no-such-disk"].map { "/.haven-system-state/storage/sfdisk-\($0).dump" })
        #expect(commands.map(\.status) == [.ok, .ok, .failed])
        #expect(commands[1].message == "\(blank) has no partition table")
        #expect(commands[2].exitStatus != nil && commands[2].exitStatus != 0)
        #expect(storage.status == .partial)
        #expect(storage.message?.hasPrefix("1 of 3 disk(s) could not be read") == true)

        let dumped = String(decoding: try FileIO.readFile(scratch.sub("staging/storage/sfdisk-gpt.img.dump")), as: UTF8.self)
        #expect(dumped == (try Tool.output("/usr/sbin/sfdisk", ["--dump", gpt])))
        #expect(dumped.contains("label: gpt") && dumped.contains("type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F"))
    }

    @Test("with no tools on the search path every command is not present, and a component with nothing is not present, not failed")
    func noTools() throws {
        let scratch = try Scratch()
        try FileIO.makeDirectories(scratch.sub("bin"))
        var configuration = configuration(scratch)
        configuration.searchPath = [scratch.sub("bin")]
        configuration.disks = []
        let manifest = try SystemStateCollector(configuration: configuration).collect().manifest
        for component in manifest.components {
            #expect(component.commands.allSatisfy { $0.status == .notPresent && $0.exitStatus == nil }, "\(component.id)")
            #expect(component.status != .failed, "\(component.id): \(component.message ?? "")")
        }
        if !FileIO.exists("/etc/nftables.conf") && !FileIO.exists("/etc/iptables") && !FileIO.exists("/etc/firewalld") && !FileIO.exists("/etc/ufw") {
            #expect(try component(manifest, "firewall").status == .notPresent)
            #expect(try component(manifest, "firewall").message == "neither nftables nor iptables is installed")
        }
    }

    @Test("a tool that fails is recorded with its exit status and standard error; one that hangs or floods is stopped")
    func failingTools() throws {
        let scratch = try Scratch()
        let bin = scratch.sub("bin")
        try FileIO.makeDirectories(bin)
        func tool(_ name: String, _ body: String) throws {
            try FileIO.writeFileAtomically(bin + "/" + name, Array("#!/bin/sh\n\(body)\n".utf8), mode: 0o755, durable: false)
        }
        try tool("nft", "echo 'netlink: Error: cannot access the ruleset' >&2; exit 3")
        try tool("iptables-save", "exec /bin/sleep 30")
        try tool("ip6tables-save", "exec /usr/bin/yes ACCEPT")
        var configuration = configuration(scratch)
        configuration.searchPath = [bin]
        configuration.disks = []
        configuration.commandTimeout = 1
        configuration.outputLimit = 1 << 20
        let manifest = try SystemStateCollector(configuration: configuration).collect().manifest
        let firewall = try component(manifest, "firewall")
        let nft = try #require(firewall.commands.first { $0.arguments[0] == "nft" })
        #expect(nft.status == .failed && nft.exitStatus == 3)
        #expect(nft.message == "netlink: Error: cannot access the ruleset")
        let iptables = try #require(firewall.commands.first { $0.arguments[0] == "iptables-save" })
        #expect(iptables.status == .failed && iptables.exitStatus == nil)
        #expect(iptables.message == "iptables-save did not finish within 1 seconds and was stopped")
        let ip6tables = try #require(firewall.commands.first { $0.arguments[0] == "ip6tables-save" })
        #expect(ip6tables.status == .failed)
        #expect(ip6tables.message == "ip6tables-save wrote more than 1048576 bytes and was stopped")
        #expect(firewall.status == (firewall.paths.contains(where: \.present) ? .partial : .failed))
        #expect(firewall.message?.contains("nft list ruleset: netlink: Error") == true)
    }

    @Test("collecting again replaces the previous staging folder entirely")
    func restartsClean() throws {
        let scratch = try Scratch()
        var configuration = configuration(scratch)
        configuration.disks = []
        try FileIO.makeDirectories(scratch.sub("staging/old"))
        try FileIO.writeFileAtomically(scratch.sub("staging/old/leftover"), [1], durable: false)
        _ = try SystemStateCollector(configuration: configuration).collect()
        #expect(!FileIO.exists(scratch.sub("staging/old")))
        #expect(FileIO.exists(scratch.sub("staging/manifest.json")))
    }
}
