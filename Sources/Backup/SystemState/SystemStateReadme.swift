/// SystemStateReadme owns the README.md of a System State file: what the archive holds, each component's status,
/// and how to apply each component on a machine (docs/system-state.md).
import Repository

enum SystemStateReadme {
    static func text(_ manifest: SystemStateManifest, point: StoredRecoveryPoint, summary: SystemStatePoint.FileSummary) -> String {
        var text = """
        # System State file of \(manifest.hostname)

        Made by Haven from recovery point \(point.shortID) of \(point.point.time) (collected \(manifest.collectedAt)).
        Machine: \(manifest.os), kernel \(manifest.kernel), \(manifest.architecture).

        Nothing here has been applied anywhere. Apply what you need by hand, component by component, as described
        below. Never copy `files/etc` wholesale over another installation: machine-id, host keys, the package database
        and the accounts must agree with what is installed.

        ## Layout

        - `manifest.json`: every component, the files it names, the commands run to collect it, and what failed.
        - `files/`: the files as they were on the machine, at their paths (`files/etc/fstab` was `/etc/fstab`).
        - `collected/<component>/`: the outputs of the commands (`collected/packages/dpkg-selections.txt`).

        \(summary.files) files, \(summary.bytes) bytes.

        ## Components

        | component | status | note |
        |---|---|---|

        """
        for component in manifest.components {
            text += "| \(component.title) (`\(component.id)`) | \(component.status.rawValue) | \(cell(component.message ?? "")) |\n"
        }
        text += "\n## How to apply each component\n\n"
        for component in manifest.components {
            text += "### \(component.title) (`\(component.id)`)\n\n\(component.description)\n\n"
            let present = component.paths.filter(\.present).map { "`files\($0.path)`" }
            if !present.isEmpty { text += "Files: " + present.joined(separator: ", ") + ".\n\n" }
            for command in component.commands where command.status != .notPresent {
                let output = "collected" + command.output.dropFirst(SystemStateManifest.virtualRoot.count)
                text += "- `\(command.arguments.joined(separator: " "))` → `\(output)` (\(command.status.rawValue)"
                    + (command.exitStatus.map { ", exit status \($0)" } ?? "") + ")\n"
            }
            let absent = component.commands.filter { $0.status == .notPresent }.map { $0.arguments.first ?? "" }
            if !absent.isEmpty { text += "- not installed on the machine: " + absent.map { "`\($0)`" }.joined(separator: ", ") + "\n" }
            text += "\n" + (howTo[component.id] ?? "Copy the files you need from `files/`.") + "\n\n"
        }
        if !summary.leftOut.isEmpty {
            text += "## Left out\n\nDevice files, sockets and fifos are not archived:\n\n"
            text += summary.leftOut.prefix(1000).map { "- `\($0)`\n" }.joined()
        }
        return text
    }

    private static func cell(_ text: String) -> String {
        String(text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ").prefix(300))
    }

    static let howTo: [String: String] = [
        "etc": "Compare with `diff -r files/etc /etc` and copy single files or folders back (`cp -a files/etc/nginx /etc/`). Keep the target's "
            + "`/etc/machine-id`, `/etc/ssh/ssh_host_*` (unless the machine replaces this one) and the package database's own files.",
        "boot": "Restore `files/etc/default/grub` first, then `grub-install /dev/DISK` and `update-grub` (Debian) or "
            + "`grub2-mkconfig -o /boot/grub2/grub.cfg`; for systemd-boot copy `files/boot/loader/entries` and run `bootctl install`. "
            + "`collected/boot/kernel-cmdline.txt` shows the kernel command line that was in use.",
        "packages": "Debian and Ubuntu: copy `files/etc/apt` (sources and keys), `apt-get update`, then "
            + "`dpkg --set-selections < collected/packages/dpkg-selections.txt && apt-get dselect-upgrade`, and "
            + "`apt-mark manual $(cat collected/packages/apt-manual.txt)`; `dpkg-packages.tsv` lists the versions that were installed. "
            + "RPM systems: copy `files/etc/yum.repos.d`, then `dnf install $(cut -f1 collected/packages/rpm-packages.tsv)`.",
        "accounts": "Merge users and groups with `vipw`, `vipw -s`, `vigr` and `vigr -s`, taking the lines you need from "
            + "`files/etc/passwd`, `shadow`, `group` and `gshadow`; never copy these files over another installation's (system accounts differ).",
        "schedules": "Copy `files/etc/crontab`, `files/etc/cron.d` and the users' crontabs from `files/var/spool/cron` "
            + "(then `crontab -u USER FILE`); timer units are in `files/etc/systemd/system`, enable them with `systemctl enable --now NAME.timer`.",
        "units": "Copy custom units from `files/etc/systemd/system`, run `systemctl daemon-reload`, then enable what "
            + "`collected/units/enabled.txt` (or `wants.txt`) lists: `systemctl enable UNIT`.",
        "storage": "On a blank disk at least as large: `sfdisk /dev/sdX < collected/storage/sfdisk-DISK.dump` (it recreates the partitions, "
            + "with their UUIDs). LVM: `pvcreate --uuid UUID --restorefile collected/storage/lvm-VG.vg /dev/PART`, then "
            + "`vgcfgrestore -f collected/storage/lvm-VG.vg VG`. Then make file systems, and check `files/etc/fstab` and "
            + "`files/etc/crypttab` against `blkid` (`collected/storage/lsblk.json` shows the old UUIDs).",
        "network": "Copy the configuration of the network stack in use: `files/etc/network/interfaces`, `files/etc/netplan` (then `netplan apply`), "
            + "`files/etc/NetworkManager/system-connections` or `files/etc/systemd/network`. Interface names and MAC addresses may differ: "
            + "compare with `collected/network/ip-address.txt`.",
        "firewall": "`nft -f collected/firewall/nftables.nft`, or `iptables-restore < collected/firewall/iptables.rules` and "
            + "`ip6tables-restore < collected/firewall/ip6tables.rules`; make it permanent with `files/etc/nftables.conf` or `files/etc/iptables`.",
    ]
}
