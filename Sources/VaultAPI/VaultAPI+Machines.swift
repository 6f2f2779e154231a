import Foundation
import HTTPServer
import Vault
import VaultProtocol

/// Registration, machines, items, leases, recovery points, policy and stop-protection.
extension VaultAPI {
    func register(_ request: Request) throws -> Response {
        let body = try Self.decode(RegisterRequest.self, from: request)
        return Self.json(try service.register(body), status: 201)
    }

    func listMachines(_ caller: AuthenticatedMachine) throws -> Response {
        let machines = try service.machines(vault: caller.vaultId).map { machine in
            MachineSummary(id: machine.id, name: machine.name, hostname: machine.hostname, state: machine.state.rawValue,
                           registeredAt: VaultTime.rfc3339(machine.registeredAt), lastBackupAt: machine.lastBackupAt.map(VaultTime.rfc3339))
        }
        return Self.json(MachineList(machines: machines))
    }

    func unregister(_ caller: AuthenticatedMachine, machine: String) throws -> Response {
        try Self.requireSelf(caller, machine)
        try service.unregister(machineId: caller.id)
        return Self.noContent()
    }

    func items(_ caller: AuthenticatedMachine, machine: String) throws -> Response {
        let target = try service.machine(machine, inVault: caller.vaultId)
        let items = try service.items(machine: target.id).map {
            ItemSummary(kind: $0.kind, name: $0.name, recoveryPoints: $0.recoveryPoints,
                        lastBackupAt: $0.lastBackupAt.map(VaultTime.rfc3339), size: $0.size)
        }
        return Self.json(ItemList(items: items))
    }

    func routeLeases(_ request: Request, caller: AuthenticatedMachine, machine: String, parts: [String]) throws -> Response {
        try Self.requireSelf(caller, machine)
        switch (request.method, parts.count) {
        case ("POST", 0):
            let body = try Self.decode(LeaseRequest.self, from: request, emptyAllowed: true)
            let lease = try service.openLease(machine: caller.id, seconds: body.seconds)
            return Self.json(LeaseResponse(id: lease.id, expiresAt: VaultTime.rfc3339(lease.expiresAt)), status: 201)
        case ("PUT", 1):
            let body = try Self.decode(LeaseRequest.self, from: request, emptyAllowed: true)
            let lease = try service.renewLease(machine: caller.id, id: parts[0], seconds: body.seconds)
            return Self.json(LeaseResponse(id: lease.id, expiresAt: VaultTime.rfc3339(lease.expiresAt)))
        case ("DELETE", 1):
            try service.releaseLease(machine: caller.id, id: parts[0])
            return Self.noContent()
        case (_, 0): throw Self.methodNotAllowed(request, allowed: "POST")
        case (_, 1): throw Self.methodNotAllowed(request, allowed: "PUT, DELETE")
        default: throw VaultError(.notFound, "no such endpoint \(request.path.prefix(200)); see docs/vault-api.md")
        }
    }

    func commit(_ request: Request, caller: AuthenticatedMachine, machine: String) throws -> Response {
        try Self.requireSelf(caller, machine)
        let body = try Self.decode(CommitRecoveryPointRequest.self, from: request)
        let created = try service.commitRecoveryPoint(caller: caller, body)
        return Self.json(CommitRecoveryPointResponse(id: body.object, state: "live"), status: created ? 201 : 200)
    }

    func listPoints(_ request: Request, caller: AuthenticatedMachine, machine: String) throws -> Response {
        let target = try service.machine(machine, inVault: caller.vaultId)
        let kind = request.queryValue("kind"), name = request.queryValue("name")
        guard (kind == nil) == (name == nil) else {
            throw VaultError(.invalidRequest, "give both kind and name to list one item's points, or neither")
        }
        let item = kind.map { BackupItemRef(kind: $0, name: name ?? "") }
        let points = try service.recoveryPoints(machine: target.id, item: item).map {
            RecoveryPointSummary(id: $0.id, item: $0.item, time: VaultTime.rfc3339($0.time), size: $0.size,
                                 retainUntil: $0.retainUntil.map(VaultTime.rfc3339))
        }
        return Self.json(RecoveryPointList(recoveryPoints: points))
    }

    func policy(_ caller: AuthenticatedMachine, machine: String) throws -> Response {
        try Self.requireSelf(caller, machine)
        guard let policy = try service.policy(machine: caller.id) else {
            throw VaultError(.notFound, "no retention policy is stored for this machine: every recovery point is kept")
        }
        return Self.json(RetentionPolicyBody(daily: policy.daily, weekly: policy.weekly, monthly: policy.monthly, yearly: policy.yearly))
    }

    func setPolicy(_ request: Request, caller: AuthenticatedMachine, machine: String) throws -> Response {
        try Self.requireSelf(caller, machine)
        let body = try Self.decode(RetentionPolicyBody.self, from: request)
        let policy = RetentionPolicy(daily: body.daily, weekly: body.weekly, monthly: body.monthly, yearly: body.yearly)
        try service.setPolicy(machine: caller.id, policy, pin: Self.pin(request))
        return Self.json(body)
    }

    func stopProtection(_ request: Request, caller: AuthenticatedMachine, machine: String) throws -> Response {
        try Self.requireSelf(caller, machine)
        let body = try Self.decode(StopProtectionRequest.self, from: request)
        try service.stopProtection(caller: caller, deleteData: body.deleteData, pin: Self.pin(request))
        return Self.noContent()
    }
}
