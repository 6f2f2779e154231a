/// Registration through the API: refusals with their reasons, credentials as JSON or base64, unregistering.
import AgentPortal
import Foundation
import Testing

@Suite("API registration", .serialized)
struct APIRegistrationTests {
    @Test("an unregistered agent says so: status has no registration, and recovery or backups answer 409 not_registered")
    func unregistered() async throws {
        let agent = try APITestAgent()
        let state = try await agent.call("GET", "/api/v1/registration").decode(AgentAPI.RegistrationState.self)
        #expect(!state.registered && state.registration == nil)
        #expect(try await agent.call("GET", "/api/v1/status").json["registration"] == nil)
        for (method, path) in [("GET", "/api/v1/recovery-points"), ("POST", "/api/v1/backups"), ("GET", "/api/v1/machines")] {
            let answer = try await agent.call(method, path)
            #expect(answer.status == 409, "\(path)")
            #expect(answer.errorCode == "not_registered", "\(path)")
        }
    }

    @Test("bad registrations answer 400 naming the field; credentials as base64 register; a second registration is 409")
    func register() async throws {
        let vault = try APILoopbackVault()
        let agent = try APITestAgent()
        let file = try vault.credentialsFile()
        let base64 = Data(file).base64EncodedString()
        let cases: [(String, String?)] = [
            (#"{"machineName": "web-01", "passphrase": "a passphrase of at least sixteen"}"#, "credentials"),
            (#"{"credentials": 12, "machineName": "web-01", "passphrase": "a passphrase of at least sixteen"}"#, "credentials"),
            (#"{"credentials": "%%% not base64", "machineName": "web-01", "passphrase": "a passphrase of at least sixteen"}"#, "credentials"),
            (#"{"credentials": {"format": "something else"}, "machineName": "web-01", "passphrase": "a passphrase of at least sixteen"}"#, "credentials"),
            ("{\"credentials\": \"\(base64)\", \"passphrase\": \"a passphrase of at least sixteen\"}", "machineName"),
            ("{\"credentials\": \"\(base64)\", \"machineName\": \"web-01\", \"passphrase\": \"too short\"}", "passphrase"),
            ("not json", nil),
        ]
        for (body, field) in cases {
            let answer = try await agent.call("POST", "/api/v1/registration", json: body)
            #expect(answer.status == 400, "\(body): \(answer.status) \(answer.errorMessage)")
            #expect(answer.errorCode == "invalid_request")
            #expect(answer.errorField == field, "\(body): \(answer.errorMessage)")
            #expect(!answer.errorMessage.isEmpty)
        }
        let registered = try await agent.call("POST", "/api/v1/registration", json:
            "{\"credentials\": \"\(base64)\", \"machineName\": \"web-01\", \"passphrase\": \"a passphrase of at least sixteen\"}")
        #expect(registered.status == 201, "\(registered.errorMessage)")
        let registration = try #require(try registered.decode(AgentAPI.RegistrationState.self).registration)
        #expect(registration.machineName == "web-01")
        #expect(registration.vaultName == "Production")
        #expect(registration.vaultAddress == vault.address)
        #expect(APITime.parse(registration.registeredAt) != nil)
        #expect(try await agent.call("GET", "/api/v1/registration").decode(AgentAPI.RegistrationState.self).registration == registration)
        let status = try await agent.call("GET", "/api/v1/status").decode(AgentAPI.Status.self)
        #expect(status.registration == registration)

        let again = try await agent.call("POST", "/api/v1/registration", json:
            "{\"credentials\": \"\(Data(try vault.credentialsFile()).base64EncodedString())\", \"machineName\": \"web-01\", \"passphrase\": \"a passphrase of at least sixteen\"}")
        #expect(again.status == 409)
        #expect(again.errorCode == "already_registered")

        let machines = try await agent.call("GET", "/api/v1/machines").decode(AgentAPI.Machines.self)
        #expect(machines.thisMachine == registration.machineId)
        #expect(machines.machines.map(\.name) == ["web-01"])

        let generated = try await agent.call("POST", "/api/v1/generated-passphrase").decode(AgentAPI.GeneratedPassphrase.self)
        #expect(generated.passphrase.count >= 32)

        #expect(try await agent.call("DELETE", "/api/v1/registration").status == 204)
        #expect(try await agent.call("GET", "/api/v1/registration").decode(AgentAPI.RegistrationState.self).registered == false)
    }
}
