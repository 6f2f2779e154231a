/// The machine's volumes: /proc/self/mountinfo parsed (escapes, optional fields, bind mounts, btrfs subvolumes), and
/// a real loop filesystem listed with its size and use while a bind mount of it is not.
import Agent
import Backup
import Foundation
import Glibc
import SystemTesting
import Testing

@Suite("Mount table and volumes", .serialized)
struct MountTableTests {
    static let sample = #"""
        22 27 0:21 / /proc rw,relatime - proc proc rw
        24 27 0:6 / /dev rw,relatime shared:2 - devtmpfs devtmpfs rw,size=12334076k
        27 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro
        30 27 8:17 / /srv/my\040data rw,noatime shared:5 master:1 - xfs /dev/sdb1 rw,attr2,inode64
        31 27 8:17 /exports /exports ro,relatime shared:6 - xfs /dev/sdb1 rw
        32 27 254:1 /var/lib/app /app rw,relatime - ext4 /dev/vda1 rw
        33 27 0:45 /@home /home rw,relatime - btrfs /dev/sdc rw,subvol=/@home
        34 27 0:45 /@data /data rw,relatime - btrfs /dev/sdc rw,subvol=/@data
        35 27 0:46 / /mnt/nfs rw - nfs4 server:/export rw
        36 27 7:0 / /mnt/tab\011and\012newline\134slash rw - ext4 /dev/loop0 rw
        37 27 7:1 / /mnt/over rw - ext4 /dev/loop1 rw
        38 27 7:2 / /mnt/over rw - ext4 /dev/loop2 rw
        not a mountinfo line
        39 27 7:3 / /mnt/short rw - ext4
        """#

    @Test("mountinfo lines are parsed: ids, device numbers, root, options, type and source, with octal escapes decoded")
    func parsesMountInfo() throws {
        let mounts = MountTable.parseMountInfo(Self.sample)
        #expect(mounts.count == 12, "the two malformed lines are left out: \(mounts.map(\.mountPoint))")
        let data = try #require(mounts.first { $0.id == 30 })
        #expect(data.parentID == 27 && data.major == 8 && data.minor == 17 && data.root == "/")
        #expect(data.mountPoint == "/srv/my data" && data.type == "xfs" && data.device == "/dev/sdb1")
        #expect(data.options == ["rw", "noatime"], "the per-mount options, not the superblock's")
        #expect(mounts.contains { $0.mountPoint == "/mnt/tab\tand\nnewline\\slash" })
        #expect(mounts.first { $0.id == 31 }?.isReadOnly == true && !data.isReadOnly)
        #expect(mounts.first { $0.id == 33 }?.root == "/@home")
    }

    @Test("volumes leave out kernel, memory and network filesystems, bind mounts and hidden mounts, and keep btrfs subvolumes")
    func listsVolumes() {
        let mounts = MountTable.parseMountInfo(Self.sample)
        let volumes = MountTable.volumes(in: mounts, isDirectory: { _ in true }).map(\.mountPoint)
        #expect(volumes == ["/", "/srv/my data", "/home", "/data", "/mnt/tab\tand\nnewline\\slash", "/mnt/over"], "\(volumes)")
        #expect(MountTable.volumes(in: mounts, isDirectory: { $0 != "/home" }).map(\.mountPoint).contains("/home") == false,
                "a mount point that is not a folder (a bind-mounted file) is no volume")
        // The hidden mount is the first of the two at /mnt/over: the later one is what the path shows.
        #expect(MountTable.volumes(in: mounts, isDirectory: { _ in true }).first { $0.mountPoint == "/mnt/over" }?.minor == 2)
    }

    @Test("a loop filesystem is listed with its device, type, size and use; a bind mount of a folder of it is not")
    func realVolume() throws {
        let volume = try LoopFilesystem(type: "ext4", megabytes: 48)
        try Data(repeating: 7, count: 8 << 20).write(to: URL(fileURLWithPath: volume.mountPoint + "/filler"))
        sync()
        try FileManager.default.createDirectory(atPath: volume.mountPoint + "/inner", withIntermediateDirectories: true)
        let bind = makeTemporaryDirectory("bind")
        try Tool.run("/bin/mount", ["--bind", volume.mountPoint + "/inner", bind])
        defer {
            _ = try? Tool.run("/bin/umount", ["-l", bind])
            try? FileManager.default.removeItem(atPath: bind)
        }

        let listed = try #require(MountTable.volumes(in: MountTable.current()).first { $0.mountPoint == volume.mountPoint })
        #expect(listed.type == "ext4" && listed.device.hasPrefix("/dev/loop"), "\(listed)")
        #expect(listed.root == "/" && (listed.major != 0 || listed.minor != 0))
        #expect(!MountTable.volumes(in: MountTable.current()).contains { $0.mountPoint == bind }, "the bind mount is not a volume")
        #expect(MountTable.current().contains { $0.mountPoint == bind && $0.root == "/inner" }, "but it is in the table, with its root")

        let info = VolumeInfo(listed)
        #expect(info.size > 32 << 20 && info.size <= 48 << 20, "the image less the journal and metadata: \(info.size)")
        #expect(info.used >= 8 << 20 && info.used < info.size, "the 8 MiB written are used: \(info.used)")
        #expect(info.available <= info.size - info.used && !info.readOnly)
    }
}
