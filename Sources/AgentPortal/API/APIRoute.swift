/// APIRoute owns the agent API's path table: which handler answers which method on which path.
import HTTPServer

/// One path of the API, e.g. `jobs/{}/cancel`, with a handler per method.
struct APIRoute: Sendable {
    typealias Handler = @Sendable (AgentAPI, HTTPServer.Request, [String]) throws -> HTTPServer.Response

    /// Literal segments, and "{}" for a parameter.
    let segments: [String]
    let methods: [String: Handler]

    init(_ pattern: String, _ methods: [String: Handler]) {
        segments = pattern.split(separator: "/").map(String.init)
        self.methods = methods
    }

    /// The parameters when `parts` fit the pattern.
    func match(_ parts: [String]) -> [String]? {
        guard parts.count == segments.count else { return nil }
        var parameters: [String] = []
        for (segment, part) in zip(segments, parts) {
            if segment == "{}" {
                guard !part.isEmpty else { return nil }
                parameters.append(part)
            } else if segment != part {
                return nil
            }
        }
        return parameters
    }
}

extension AgentAPI {
    /// Every endpoint of docs/agent-api.md.
    static let routes: [APIRoute] = [
        APIRoute("status", ["GET": { api, _, _ in try api.status() }]),
        APIRoute("registration", [
            "GET": { api, _, _ in api.registration() },
            "POST": { api, request, _ in try api.register(request) },
            "DELETE": { api, _, _ in try api.unregister() },
        ]),
        APIRoute("generated-passphrase", ["POST": { _, _, _ in AgentAPI.generatedPassphrase() }]),
        APIRoute("goal", [
            "GET": { api, _, _ in try api.goal() },
            "PUT": { api, request, _ in try api.saveGoal(request) },
        ]),
        APIRoute("goal/retention", ["PUT": { api, request, _ in try api.saveRetention(request) }]),
        APIRoute("volumes", ["GET": { api, _, _ in try api.volumes() }]),
        APIRoute("directory", ["GET": { api, request, _ in try api.directory(request) }]),
        APIRoute("backups", ["POST": { api, request, _ in try api.backUpNow(request) }]),
        APIRoute("jobs", ["GET": { api, request, _ in try api.jobs(request) }]),
        APIRoute("jobs/{}", ["GET": { api, request, ids in try api.job(ids[0], request) }]),
        APIRoute("jobs/{}/progress", ["GET": { api, _, ids in try api.progress(ids[0]) }]),
        APIRoute("jobs/{}/report", ["GET": { api, _, ids in try api.report(ids[0]) }]),
        APIRoute("jobs/{}/cancel", ["POST": { api, _, ids in try api.cancel(ids[0]) }]),
        APIRoute("machines", ["GET": { api, _, _ in try api.machines() }]),
        APIRoute("recovery-points", ["GET": { api, _, _ in try api.recoveryPoints(MachineChoice(machine: nil, passphrase: nil)) }]),
        APIRoute("recovery-points/query", ["POST": { api, request, _ in try api.recoveryPoints(try decode(MachineChoice.self, from: request)) }]),
        APIRoute("recovery-points/{}/tree", [
            "GET": { api, request, ids in try api.tree(ids[0], PointLookup(path: request.queryValue("path"))) },
            "POST": { api, request, ids in try api.tree(ids[0], try decode(PointLookup.self, from: request)) },
        ]),
        APIRoute("recovery-points/{}/search", [
            "GET": { api, request, ids in try api.search(ids[0], PointLookup(pattern: request.queryValue("pattern"))) },
            "POST": { api, request, ids in try api.search(ids[0], try decode(PointLookup.self, from: request)) },
        ]),
        APIRoute("recovery-points/{}/system-state", [
            "GET": { api, _, ids in try api.systemState(ids[0], MachineChoice(machine: nil, passphrase: nil)) },
            "POST": { api, request, ids in try api.systemState(ids[0], try decode(MachineChoice.self, from: request, emptyAllowed: true)) },
        ]),
        APIRoute("recovery-points/{}/system-state-file", [
            "GET": { api, _, ids in try api.systemStateFile(ids[0], MachineChoice(machine: nil, passphrase: nil)) },
            "POST": { api, request, ids in try api.systemStateFile(ids[0], try decode(MachineChoice.self, from: request, emptyAllowed: true)) },
        ]),
        APIRoute("restores", ["POST": { api, request, _ in try api.restore(request) }]),
        APIRoute("settings", [
            "GET": { api, _, _ in try api.settings() },
            "PUT": { api, request, _ in try api.saveSettings(request) },
        ]),
        APIRoute("passphrase", ["POST": { api, request, _ in try api.changePassphrase(request) }]),
    ]
}
