/// Recovery: the machines of the vault, their recovery points, and browsing or searching a point's tree, for this
/// machine (with the stored key) or another one (with its passphrase).
import Backup
import Foundation
import Repository
import VaultClient
import VaultProtocol

extension AgentService {
    /// The most entries a search answers with.
    public static let searchLimit = 1000

    /// Every machine of the vault, this one included.
    public func machines() throws -> [MachineSummary] {
        let credential = try requireCredential()
        return try Self.mapping { try session(credential).machines() }
    }

    /// Recovery points, newest first: this machine's from the catalog, another machine's from the vault's listing
    /// (metadata: no passphrase needed to list them).
    public func recoveryPoints(machine: String?, passphrase: String?) throws -> [RecoveryPointInfo] {
        let credential = try requireCredential()
        guard let other = otherMachine(machine, credential) else { return try Self.mapping { try catalog.points() } }
        return try Self.mapping {
            try session(credential).recoveryPoints(machineId: other).map { summary in
                RecoveryPointInfo(id: summary.id, itemKind: summary.item.kind, itemName: summary.item.name,
                                  time: Timestamp.parse(summary.time) ?? Date(timeIntervalSince1970: 0), size: summary.size,
                                  retainUntil: summary.retainUntil.flatMap(Timestamp.parse))
            }
        }
    }

    /// The entries directly inside `path` of a recovery point, folders first.
    public func browse(machine: String?, passphrase: String?, point: String, path: String) throws -> [BrowseEntry] {
        let credential = try requireCredential()
        let repository = try repository(machine: otherMachine(machine, credential), passphrase: passphrase, credential: credential)
        return try Self.mapping {
            let stored = try repository.recoveryPoint(id: point)
            guard var treeID = stored.point.treeID else {
                throw AgentError(.vault, "recovery point \(stored.shortID) names no valid root tree")
            }
            let walker = TreeWalker(repository: repository)
            let components = path.split(separator: "/").map(String.init)
            for (position, name) in components.enumerated() {
                guard let node = try walker.tree(treeID).node(named: Array(name.utf8)), let subtree = node.subtree else {
                    let shown = "/" + components[...position].joined(separator: "/")
                    throw AgentError(.notFound, field: "path", "\(shown) is not a folder of recovery point \(stored.shortID)")
                }
                treeID = subtree
            }
            let base = "/" + components.map { $0 + "/" }.joined()
            return try walker.tree(treeID).nodes.map { Self.entry($0, path: base + $0.displayName) }
                .sorted(by: BrowseEntry.foldersFirst)
        }
    }

    /// Entries whose name (or, with a "/", whose path) matches a shell pattern such as "*.conf", at most `searchLimit`.
    public func search(machine: String?, passphrase: String?, point: String, pattern: String) throws -> [BrowseEntry] {
        guard !pattern.isEmpty, !pattern.utf8.contains(0) else {
            throw AgentError(.invalidInput, field: "pattern", "give a name or a pattern such as *.conf")
        }
        let credential = try requireCredential()
        let repository = try repository(machine: otherMachine(machine, credential), passphrase: passphrase, credential: credential)
        return try Self.mapping {
            let stored = try repository.recoveryPoint(id: point)
            var found: [BrowseEntry] = []
            do {
                try TreeWalker(repository: repository).find(pattern, in: stored) { entry in
                    found.append(Self.entry(entry.node, path: entry.path))
                    if found.count >= Self.searchLimit { throw SearchFull() }
                }
            } catch is SearchFull {}
            return found
        }
    }

    private struct SearchFull: Error {}

    /// nil for this machine (no id, or its own id), else the other machine's id.
    func otherMachine(_ machine: String?, _ credential: MachineCredential) -> String? {
        guard let machine, !machine.isEmpty, machine != credential.machineId else { return nil }
        return machine
    }

    /// A repository for reading: this machine's (stored key) or another machine's (its passphrase), cached a while.
    func repository(machine: String?, passphrase: String?, credential: MachineCredential) throws -> Repository {
        guard let machine else {
            return try repositories.repository(RepositoryCache.own) {
                try ownRepository(credential, session: try session(credential))
            }
        }
        guard let passphrase, !passphrase.isEmpty else {
            throw AgentError(.invalidInput, field: "passphrase", "give the passphrase of the machine whose data you recover: "
                + "each machine's data is encrypted with its own")
        }
        return try repositories.repository(repositories.key(machine: machine, passphrase: passphrase)) {
            try Self.mapping {
                let session = try session(credential)
                do {
                    return try Repository.open(store: session.objectStore(machineId: machine), passphrase: Array(passphrase.utf8))
                } catch let error as RepositoryError where error.code == .wrongPassphrase {
                    throw AgentError(.wrongPassphrase, field: "passphrase", "the passphrase does not open that machine's data: give the "
                        + "passphrase it was registered with")
                } catch let error as RepositoryError where error.code == .notFound {
                    throw AgentError(.notFound, field: "sourceMachine", "that machine has no data in the vault yet")
                }
            }
        }
    }

    static func entry(_ node: Node, path: String) -> BrowseEntry {
        let kind: String = switch node.kind {
        case .regular: "file"
        case .directory: "directory"
        case .symlink: "symlink"
        default: "other"
        }
        return BrowseEntry(path: path, name: node.displayName, kind: kind, size: node.size,
                           modified: Date(timeIntervalSince1970: TimeInterval(node.mtimeSeconds)))
    }
}
