/// The system state's components (docs/system-state.md): which files each names and which commands it runs.
import FileIO
import Foundation
import Glibc

extension SystemStateCollector {
    func etc() -> SystemStateManifest.Component {
        var recorder = recorder("etc", "Configuration tree", "Every file under /etc, as it was.")
        recorder.file("/etc")
        return recorder.finish(empty: "there is no /etc")
    }

    func boot() -> SystemStateManifest.Component {
        var recorder = recorder("boot", "Boot configuration",
                                "Boot loader configuration and entries (GRUB, systemd-boot), the list of /boot and the kernel command line.")
        for path in ["/boot/grub", "/boot/grub2", "/boot/loader", "/boot/efi/loader", "/efi/loader"] { recorder.file(path, optional: true) }
        let loaders = recorder.component.paths.contains(where: \.present)
        recorder.generate("boot-listing.txt", source: "the names and sizes of the entries of /boot") { try Self.listing("/boot") }
        recorder.generate("kernel-cmdline.txt", source: "/proc/cmdline") { try FileIO.readFile("/proc/cmdline") }
        recorder.run(["efibootmgr", "-v"], output: "efibootmgr.txt")
        guard loaders else {
            var component = recorder.finish(empty: "")
            component.status = .notPresent
            component.message = "no boot loader configuration under /boot or /efi (a container, or a machine booted from elsewhere)"
            return component
        }
        return recorder.finish(empty: "")
    }

    func packages() -> SystemStateManifest.Component {
        var recorder = recorder("packages", "Installed packages and package sources",
                                "The installed packages with their versions (dpkg or rpm), what was installed by hand, and the package sources.")
        for path in ["/etc/apt", "/etc/yum.repos.d", "/etc/dnf", "/etc/zypp"] { recorder.file(path, optional: true) }
        recorder.run(["dpkg-query", "-W", "-f", "${Package}\\t${Version}\\t${Architecture}\\t${db:Status-Abbrev}\\n"], output: "dpkg-packages.tsv")
        recorder.run(["dpkg", "--get-selections"], output: "dpkg-selections.txt")
        recorder.run(["apt-mark", "showmanual"], output: "apt-manual.txt")
        recorder.run(["rpm", "-qa", "--qf", "%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\n"], output: "rpm-packages.tsv")
        return recorder.finish(empty: "neither dpkg nor rpm is installed")
    }

    func accounts() -> SystemStateManifest.Component {
        var recorder = recorder("accounts", "Users and groups", "Users, groups and their shadow entries (password hashes), subordinate ids and sudo rules.")
        for path in ["/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow"] { recorder.file(path) }
        for path in ["/etc/subuid", "/etc/subgid", "/etc/sudoers", "/etc/sudoers.d"] { recorder.file(path, optional: true) }
        return recorder.finish(empty: "there is no /etc/passwd")
    }

    func schedules() -> SystemStateManifest.Component {
        var recorder = recorder("schedules", "Crontabs and systemd timers", "System and user crontabs, anacron, and the systemd timer units.")
        for path in ["/etc/crontab", "/etc/cron.d", "/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly",
                     "/etc/anacrontab", "/var/spool/cron"] { recorder.file(path, optional: true) }
        recorder.run(["systemctl", "list-unit-files", "--type=timer", "--no-pager"], output: "timers.txt")
        return recorder.finish(empty: "there is neither cron nor systemd")
    }

    func units() -> SystemStateManifest.Component {
        var recorder = recorder("units", "Enabled systemd units", "The units enabled at boot, as systemd lists them and as /etc/systemd/system links them.")
        recorder.file("/etc/systemd", optional: true)
        recorder.run(["systemctl", "list-unit-files", "--state=enabled", "--no-pager", "--no-legend"], output: "enabled.txt")
        if FileIO.isDirectory("/etc/systemd/system") {
            recorder.generate("wants.txt", source: "the links in /etc/systemd/system/*.wants and *.requires") {
                try Self.wants("/etc/systemd/system")
            }
        }
        return recorder.finish(empty: "systemd is not installed")
    }

    func storage() -> SystemStateManifest.Component {
        var recorder = recorder("storage", "Partition tables, LVM, fstab and crypttab",
                                "Each disk's partition table (sfdisk --dump), the block devices and their UUIDs, LVM metadata, fstab and crypttab.")
        recorder.file("/etc/fstab")
        for path in ["/etc/crypttab", "/etc/lvm", "/etc/mdadm", "/etc/mdadm.conf"] { recorder.file(path, optional: true) }
        let disks = configuration.disks ?? Self.discoverDisks(in: configuration.blockDevices)
        var failedDisks = 0
        for disk in disks {
            let name = disk.split(separator: "/").last.map(String.init) ?? "disk"
            let outcome = recorder.run(["sfdisk", "--dump", disk], output: "sfdisk-\(name).dump")
            // A disk without a partition table (a whole-disk file system, a PV on the raw disk) is a fact, not a failure.
            if outcome.status == .failed, outcome.standardError.contains("does not contain a recognized partition table") {
                recorder.amendLastCommand(status: .ok, message: "\(disk) has no partition table")
            } else if outcome.status == .failed {
                failedDisks += 1
            }
        }
        recorder.run(["lsblk", "--json", "--bytes", "--output", "NAME,KNAME,TYPE,SIZE,FSTYPE,UUID,PARTUUID,LABEL,MOUNTPOINT,PKNAME"],
                     output: "lsblk.json")
        if runner.locate("lvm") != nil || runner.locate("vgcfgbackup") != nil {
            recorder.run(["vgcfgbackup", "-f", directory("storage") + "/lvm-%s.vg"], output: "vgcfgbackup.log")
        } else {
            recorder.notPresent(["vgcfgbackup"], output: "vgcfgbackup.log", message: "LVM is not installed")
        }
        var component = recorder.finish(empty: "")
        if disks.isEmpty { component.message = [component.message, "no disk was found in \(configuration.blockDevices)"].compactMap { $0 }.joined(separator: "; ") }
        if failedDisks > 0 {
            component.message = "\(failedDisks) of \(disks.count) disk(s) could not be read" + (component.message.map { "; " + $0 } ?? "")
        }
        return component
    }

    func network() -> SystemStateManifest.Component {
        var recorder = recorder("network", "Network configuration", "Interface configuration files and the addresses, routes and rules in force.")
        for path in ["/etc/network", "/etc/netplan", "/etc/NetworkManager", "/etc/systemd/network", "/etc/hosts", "/etc/hostname",
                     "/etc/resolv.conf"] { recorder.file(path, optional: true) }
        recorder.run(["ip", "-details", "address", "show"], output: "ip-address.txt")
        recorder.run(["ip", "route", "show", "table", "all"], output: "ip-route.txt")
        recorder.run(["ip", "-6", "route", "show", "table", "all"], output: "ip6-route.txt")
        recorder.run(["ip", "rule", "show"], output: "ip-rule.txt")
        return recorder.finish(empty: "there is no network configuration and no ip tool")
    }

    func firewall() -> SystemStateManifest.Component {
        var recorder = recorder("firewall", "Firewall rules", "The nftables ruleset or the iptables rules in force, and their configuration files.")
        for path in ["/etc/nftables.conf", "/etc/iptables", "/etc/firewalld", "/etc/ufw"] { recorder.file(path, optional: true) }
        recorder.run(["nft", "list", "ruleset"], output: "nftables.nft")
        recorder.run(["iptables-save"], output: "iptables.rules")
        recorder.run(["ip6tables-save"], output: "ip6tables.rules")
        return recorder.finish(empty: "neither nftables nor iptables is installed")
    }

    // MARK: Helpers

    func directory(_ id: String) -> String { configuration.stagingDirectory + "/" + id }

    func recorder(_ id: String, _ title: String, _ description: String) -> ComponentRecorder {
        ComponentRecorder(collector: self, component: SystemStateManifest.Component(
            id: id, title: title, description: description, status: .ok, message: nil, paths: [], commands: [], generated: []))
    }

    /// The disks of `/sys/block`: entries with a device link and a size, optical drives left out.
    static func discoverDisks(in blockDevices: String) -> [String] {
        guard let names = try? FileIO.listDirectory(blockDevices) else { return [] }
        return names.sorted().filter { name in
            guard !name.hasPrefix("sr"), !name.hasPrefix("."), FileIO.exists(blockDevices + "/" + name + "/device") else { return false }
            let size = (try? FileIO.readFile(blockDevices + "/" + name + "/size")).flatMap {
                UInt64(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            return (size ?? 0) > 0
        }.map { "/dev/" + $0.replacingOccurrences(of: "!", with: "/") }
    }

    /// "size<TAB>name" of each entry of a folder (a directory's size is shown as "-"), sorted by name.
    static func listing(_ path: String) throws -> [UInt8] {
        var lines = ""
        for name in try FileIO.listDirectory(path).sorted() {
            var status = stat()
            guard lstat(path + "/" + name, &status) == 0 else { continue }
            let isDirectory = (status.st_mode & S_IFMT) == S_IFDIR
            lines += (isDirectory ? "-" : "\(status.st_size)") + "\t" + name + (isDirectory ? "/" : "") + "\n"
        }
        return Array(lines.utf8)
    }

    /// "target.wants<TAB>unit<TAB>link target" for each link of the `.wants` and `.requires` folders.
    static func wants(_ path: String) throws -> [UInt8] {
        var lines = ""
        for folder in try FileIO.listDirectory(path).sorted() where folder.hasSuffix(".wants") || folder.hasSuffix(".requires") {
            guard let units = try? FileIO.listDirectory(path + "/" + folder) else { continue }
            for unit in units.sorted() {
                var buffer = [CChar](repeating: 0, count: 4096)
                let count = readlink(path + "/" + folder + "/" + unit, &buffer, buffer.count - 1)
                let target = count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
                lines += folder + "\t" + unit + "\t" + target + "\n"
            }
        }
        return Array(lines.utf8)
    }
}

/// Builds one component's record: the files it names, the commands it runs, the outputs it writes, and its status.
struct ComponentRecorder {
    let collector: SystemStateCollector
    var component: SystemStateManifest.Component
    /// Required files that were missing.
    private var missing: [String] = []

    init(collector: SystemStateCollector, component: SystemStateManifest.Component) {
        self.collector = collector
        self.component = component
    }

    /// Records a live path; a missing required one makes the component partial or failed.
    mutating func file(_ path: String, optional: Bool = false) {
        var status = stat()
        let present = lstat(path, &status) == 0
        component.paths.append(.init(path: path, present: present))
        if !present, !optional { missing.append(path) }
    }

    private func outputPath(_ name: String) -> (real: String, recorded: String) {
        (collector.directory(component.id) + "/" + name, SystemStateManifest.virtualRoot + "/" + component.id + "/" + name)
    }

    private func makeDirectory() -> String? {
        do { try FileIO.makeDirectories(collector.directory(component.id), mode: 0o700) } catch { return "\(error)" }
        return nil
    }

    @discardableResult
    mutating func run(_ arguments: [String], output name: String) -> SystemCommand.Outcome {
        let (real, recorded) = outputPath(name)
        var outcome: SystemCommand.Outcome
        if collector.runner.locate(arguments[0]) == nil {
            outcome = SystemCommand.Outcome(status: .notPresent, message: "\(arguments[0]) is not installed")
        } else if let failure = makeDirectory() {
            outcome = SystemCommand.Outcome(status: .failed, message: "cannot create the output folder: \(failure)")
        } else {
            outcome = collector.runner.run(arguments, outputPath: real)
        }
        if outcome.status != .ok, outcome.status != .failed { try? FileIO.removeFile(real) }
        component.commands.append(.init(arguments: arguments, output: recorded, status: outcome.status, exitStatus: outcome.exitStatus,
                                        message: outcome.message))
        return outcome
    }

    mutating func notPresent(_ arguments: [String], output name: String, message: String) {
        component.commands.append(.init(arguments: arguments, output: outputPath(name).recorded, status: .notPresent, exitStatus: nil,
                                        message: message))
    }

    mutating func amendLastCommand(status: SystemStateManifest.Status, message: String) {
        guard !component.commands.isEmpty else { return }
        component.commands[component.commands.count - 1].status = status
        component.commands[component.commands.count - 1].message = message
    }

    /// Writes an output the agent makes itself by reading files.
    mutating func generate(_ name: String, source: String, _ make: () throws -> [UInt8]) {
        let (real, recorded) = outputPath(name)
        var record = SystemStateManifest.GeneratedRecord(output: recorded, source: source, status: .ok, message: nil)
        if let failure = makeDirectory() {
            record.status = .failed
            record.message = "cannot create the output folder: \(failure)"
        } else {
            do { try FileIO.writeFileAtomically(real, try make(), mode: 0o600, durable: false) } catch {
                record.status = .failed
                record.message = "\(error)"
            }
        }
        component.generated.append(record)
    }

    /// The component with its status: ok when nothing failed, not present when nothing exists or ran, partial when
    /// some of it was collected and some failed, failed when nothing could be.
    func finish(empty: String) -> SystemStateManifest.Component {
        var done = component
        let failures = done.commands.filter { $0.status == .failed }.count + done.generated.filter { $0.status == .failed }.count
            + missing.count
        let collected = done.paths.filter(\.present).count + done.commands.filter { $0.status == .ok }.count
            + done.generated.filter { $0.status == .ok }.count
        switch (failures, collected) {
        case (0, 0):
            done.status = .notPresent
            done.message = empty.isEmpty ? nil : empty
        case (0, _): done.status = .ok
        case (_, 0): done.status = .failed
        default: done.status = .partial
        }
        if failures > 0 {
            var reasons = missing.map { "\($0) is missing" }
            reasons += done.commands.filter { $0.status == .failed }.map { "\($0.arguments.joined(separator: " ")): \($0.message ?? "failed")" }
            reasons += done.generated.filter { $0.status == .failed }.map { "\($0.source): \($0.message ?? "failed")" }
            done.message = String(reasons.joined(separator: "; ").prefix(1024))
        }
        return done
    }
}
