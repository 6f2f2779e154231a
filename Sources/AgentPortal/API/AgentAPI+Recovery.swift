/// The agent API's recovery endpoints: machines of the vault, recovery points, trees and searches, restores.
import Agent
import HTTPServer
import VaultProtocol

extension AgentAPI {
    func machines() throws -> HTTPServer.Response {
        Self.json(Machines(thisMachine: service.registration()?.machineId, machines: try service.machines()))
    }

    func recoveryPoints(_ choice: MachineChoice) throws -> HTTPServer.Response {
        let machine = try machineId(choice.machine)
        let points = try service.recoveryPoints(machine: machine, passphrase: choice.passphrase)
        return Self.json(RecoveryPoints(recoveryPoints: points.sorted { $0.time > $1.time }.map(RecoveryPoint.init)))
    }

    func tree(_ point: String, _ lookup: PointLookup) throws -> HTTPServer.Response {
        let path = lookup.path ?? "/"
        guard path.hasPrefix("/"), !path.utf8.contains(0), path.utf8.count <= 4096 else {
            throw APIError(.invalidRequest, field: "path", "path must be an absolute path inside the recovery point, such as /srv")
        }
        let entries = try service.browse(machine: try machineId(lookup.machine), passphrase: lookup.passphrase, point: point, path: path)
        return Self.json(Entries(path: path, entries: entries.map(Entry.init)))
    }

    func search(_ point: String, _ lookup: PointLookup) throws -> HTTPServer.Response {
        guard let pattern = lookup.pattern, !pattern.isEmpty, pattern.utf8.count <= 1024, !pattern.utf8.contains(0) else {
            throw APIError(.invalidRequest, field: "pattern", "search needs a pattern: a name or a wildcard such as *.conf")
        }
        let entries = try service.search(machine: try machineId(lookup.machine), passphrase: lookup.passphrase, point: point, pattern: pattern)
        return Self.json(Entries(path: nil, entries: entries.map(Entry.init)))
    }

    func restore(_ request: HTTPServer.Request) throws -> HTTPServer.Response {
        let body = try Self.decode(RestoreBody.self, from: request)
        let target: RestoreRequest.Target
        if body.target == "original" {
            target = .original
        } else if body.target.hasPrefix("/"), !body.target.utf8.contains(0) {
            target = .alternate(body.target)
        } else {
            throw APIError(.invalidRequest, field: "target", "target is \"original\" or an absolute directory such as /restore, "
                + "not \(String(reflecting: String(body.target.prefix(64))))")
        }
        let conflict = body.conflict ?? "copy"
        guard ["copy", "overwrite", "skip"].contains(conflict) else {
            throw APIError(.invalidRequest, field: "conflict", "conflict is copy, overwrite or skip, not \(String(reflecting: String(conflict.prefix(32))))")
        }
        let paths = body.paths ?? []
        if let bad = paths.first(where: { !$0.hasPrefix("/") || $0.utf8.contains(0) }) {
            throw APIError(.invalidRequest, field: "paths", "each path to restore is absolute inside the recovery point, such as /srv/www; "
                + "got \(String(reflecting: String(bad.prefix(64))))")
        }
        let record = try service.restore(RestoreRequest(
            sourceMachine: try machineId(body.machine), passphrase: body.passphrase, recoveryPoint: body.recoveryPoint, paths: paths,
            target: target, conflict: conflict, restorePermissions: body.restorePermissions ?? true, volume: body.volume ?? false))
        return Self.json(JobDetail(job: Job(record), progress: nil, report: nil), status: 202)
    }

    /// The id of the machine a name or id means; nil (this machine) for nil or this machine's own name or id.
    func machineId(_ nameOrId: String?) throws -> String? {
        guard let nameOrId, !nameOrId.isEmpty else { return nil }
        let this = service.registration()
        if nameOrId == this?.machineId || nameOrId == this?.machineName { return nil }
        let machines = try service.machines()
        if let machine = machines.first(where: { $0.id == nameOrId }) ?? machines.first(where: { $0.name == nameOrId }) {
            return machine.id == this?.machineId ? nil : machine.id
        }
        throw APIError(.notFound, field: "machine", "the vault has no machine named \(String(reflecting: String(nameOrId.prefix(64)))); "
            + "GET /api/v1/machines lists them")
    }
}
