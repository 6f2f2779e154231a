import ArgumentParser
import Glibc
import Backup
import Repository

/// `haven ls`: the entries of a recovery point, under a path if one is given.
struct LsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the files in a recovery point.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The recovery point: an id, a unique prefix, or \"latest\".")
    var recoveryPoint: String

    @Argument(help: "A path inside the recovery point.")
    var path: String = "/"

    func run() throws {
        try runCommand {
            let repository = try global.openRepository()
            let point = try repository.resolveRecoveryPoint(recoveryPoint)
            let walker = TreeWalker(repository: repository)
            try walker.list(point, under: path) { entry in
                if global.json { Output.json(EntryJSON(entry)) } else { Output.line(EntryJSON.longLine(entry)) }
            }
        }
    }
}

/// An entry as `ls` and `find` print it.
struct EntryJSON: Encodable {
    let path: String
    let type: String
    let mode: String
    let uid: UInt32
    let gid: UInt32
    let user: String
    let group: String
    let size: UInt64
    let mtime: String
    let linkTarget: String?

    init(_ entry: BrowsedEntry) {
        let node = entry.node
        path = entry.path
        type = EntryJSON.typeName(node.kind)
        mode = String(node.mode, radix: 8)
        uid = node.uid
        gid = node.gid
        user = Node.display(node.user)
        group = Node.display(node.group)
        size = node.size
        mtime = EntryJSON.time(node.mtimeSeconds)
        linkTarget = node.kind == .symlink ? Node.display(node.linkTarget) : nil
    }

    static func typeName(_ kind: NodeKind) -> String {
        switch kind {
        case .regular: "file"
        case .directory: "dir"
        case .symlink: "symlink"
        case .fifo: "fifo"
        case .socket: "socket"
        case .characterDevice: "chardev"
        case .blockDevice: "blockdev"
        }
    }

    static func time(_ seconds: Int64) -> String {
        var t = Int(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// "drwxr-xr-x root root 4096 2026-11-24 15:23:00 /etc" in the style of `ls -l`.
    static func longLine(_ entry: BrowsedEntry) -> String {
        let node = entry.node
        let typeChar: Character = switch node.kind {
        case .regular: "-"
        case .directory: "d"
        case .symlink: "l"
        case .fifo: "p"
        case .socket: "s"
        case .characterDevice: "c"
        case .blockDevice: "b"
        }
        var perms = String(typeChar)
        let chars = Array("rwxrwxrwx")
        for bit in 0..<9 { perms.append(node.mode & (0o400 >> UInt32(bit)) != 0 ? chars[bit] : "-") }
        let user = node.user.isEmpty ? String(node.uid) : Node.display(node.user)
        let group = node.group.isEmpty ? String(node.gid) : Node.display(node.group)
        var line = "\(perms) \(user.padding(8)) \(group.padding(8)) \(String(node.size).padding(12)) \(time(node.mtimeSeconds)) \(entry.path)"
        if node.kind == .symlink { line += " -> \(Node.display(node.linkTarget))" }
        return line
    }
}
