/// The agent API's overview and registration endpoints.
import Agent
import HTTPServer

extension AgentAPI {
    func status() throws -> HTTPServer.Response {
        let overview = try service.overview()
        return Self.json(Status(registration: overview.registration.map(Registration.init), lastBackup: overview.lastBackup.map(Job.init),
                                nextBackup: overview.nextBackup.map(APITime.format), protectedBytes: overview.protectedBytes,
                                alerts: overview.alerts.map { Alert(severity: $0.severity, message: $0.message) },
                                journal: Journal(overview.journal)))
    }

    func registration() -> HTTPServer.Response {
        let info = service.registration()
        return Self.json(RegistrationState(registered: info != nil, registration: info.map(Registration.init)))
    }

    func register(_ request: HTTPServer.Request) throws -> HTTPServer.Response {
        let body = try Self.decode(RegisterRequest.self, from: request)
        let info = try service.register(credentials: body.credentials, machineName: body.machineName, passphrase: body.passphrase,
                                        takeOver: body.takeOver)
        return Self.json(RegistrationState(registered: true, registration: Registration(info)), status: 201)
    }

    func unregister() throws -> HTTPServer.Response {
        try service.unregister()
        return Self.noContent()
    }

    static func generatedPassphrase() -> HTTPServer.Response {
        json(GeneratedPassphrase(passphrase: AgentService.generatePassphrase()))
    }
}
