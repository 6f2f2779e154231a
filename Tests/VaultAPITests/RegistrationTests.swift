/// Registration and authentication over real HTTP: the refusals name their reason and use nothing up.
import Foundation
import Testing
import Vault
import VaultProtocol

@Suite("Vault API: registration and authentication")
struct RegistrationTests {
    @Test("a machine registers once with a one-use file; the second registration is refused as used up")
    func registerOnce() async throws {
        let harness = try Harness()
        let credentials = try harness.credentials()
        let machine = try await harness.register("web-01", credentials: credentials)
        #expect(machine.id.count == 32 && machine.secret.count == 43)
        let again = try await harness.sendJSON("POST", "/register", RegisterRequest(credentials: credentials, machineName: "web-02", hostname: "h"))
        #expect(again.status == 401)
        #expect(harness.errorCode(again) == "credentials_used_up")
        let list = try harness.decode(MachineList.self, try await harness.send("GET", "/machines", machine: machine))
        #expect(list.machines.map(\.name) == ["web-01"])
        #expect(list.machines.first?.state == "registered")
    }

    @Test("expired, forged and unknown credentials are refused with their own codes")
    func refusals() async throws {
        let harness = try Harness()
        let expiring = try harness.credentials(hours: 1)
        harness.clock.advance(seconds: 3601)
        let expired = try await harness.sendJSON("POST", "/register", RegisterRequest(credentials: expiring, machineName: "a", hostname: "h"))
        #expect(harness.errorCode(expired) == "credentials_expired")
        #expect((try? harness.decode(VaultErrorBody.self, expired))?.error.message.contains("download a new file") == true)

        var forged = try harness.credentials(uses: 5)
        forged.expiresAt = "2030-01-01T00:00:00Z"
        let forgedAnswer = try await harness.sendJSON("POST", "/register", RegisterRequest(credentials: forged, machineName: "a", hostname: "h"))
        #expect(harness.errorCode(forgedAnswer) == "credentials_forged")

        let other = try Harness()
        let foreign = try other.credentials()
        let unknown = try await harness.sendJSON("POST", "/register", RegisterRequest(credentials: foreign, machineName: "a", hostname: "h"))
        #expect(harness.errorCode(unknown) == "credentials_forged", "another vault's signing key does not verify here")
    }

    @Test("a taken name is refused unless taken over; take-over keeps the id and retires the old secret")
    func takeOver() async throws {
        let harness = try Harness()
        let first = try await harness.register("db-01", credentials: try harness.credentials(uses: 3))
        let credentials = try harness.credentials(uses: 3)
        let clash = try await harness.sendJSON("POST", "/register", RegisterRequest(credentials: credentials, machineName: "db-01", hostname: "h"))
        #expect(clash.status == 409 && harness.errorCode(clash) == "machine_exists")
        let second = try await harness.register("db-01", credentials: credentials, takeOver: true)
        #expect(second.id == first.id)
        #expect(second.secret != first.secret)
        let old = try await harness.send("GET", "/machines", machine: first)
        #expect(old.status == 401 && harness.errorCode(old) == "secret_wrong")
        #expect(try await harness.send("GET", "/machines", machine: second).status == 200)
    }

    @Test("missing, unknown and wrong credentials get 401 with distinct codes, then 429 after too many")
    func authFailures() async throws {
        let harness = try Harness(maxAuthFailures: 4)
        let machine = try await harness.register()
        let none = try await harness.send("GET", "/machines")
        #expect(none.status == 401 && harness.errorCode(none) == "unauthenticated")
        let unknown = try await harness.send("GET", "/machines", machine: Machine(id: String(repeating: "a", count: 32), secret: machine.secret))
        #expect(harness.errorCode(unknown) == "machine_unknown")
        let wrong = try await harness.send("GET", "/machines", machine: Machine(id: machine.id, secret: "x"))
        #expect(harness.errorCode(wrong) == "secret_wrong")
        _ = try await harness.send("GET", "/machines", machine: Machine(id: machine.id, secret: "y"))
        let limited = try await harness.send("GET", "/machines", machine: machine)
        #expect(limited.status == 429 && harness.errorCode(limited) == "rate_limited")
        #expect(limited.header("Retry-After") != nil)
        harness.clock.advance(seconds: 61)
        #expect(try await harness.send("GET", "/machines", machine: machine).status == 200)
    }

    @Test("an unregistered machine's secret stops working and its points remain listed for others")
    func unregister() async throws {
        let harness = try Harness()
        let credentials = try harness.credentials(uses: 2)
        let leaving = try await harness.register("old", credentials: credentials)
        let staying = try await harness.register("new", credentials: credentials)
        #expect(try await harness.send("DELETE", "/machines/\(leaving.id)", machine: leaving).status == 204)
        let refused = try await harness.send("GET", "/machines", machine: leaving)
        #expect(harness.errorCode(refused) == "machine_unregistered" || harness.errorCode(refused) == "secret_wrong")
        let list = try harness.decode(MachineList.self, try await harness.send("GET", "/machines", machine: staying))
        #expect(list.machines.first { $0.name == "old" }?.state == "unregistered")
    }

    @Test("malformed JSON, a missing field and an invalid machine name answer 400, never 500")
    func badInput() async throws {
        let harness = try Harness()
        let garbage = try await harness.send("POST", "/register", body: Array("{not json".utf8))
        #expect(garbage.status == 400 && harness.errorCode(garbage) == "invalid_request")
        let missing = try await harness.send("POST", "/register", body: Array("{\"machineName\": \"a\"}".utf8))
        #expect(missing.status == 400)
        let badName = try await harness.sendJSON("POST", "/register",
                                                 RegisterRequest(credentials: try harness.credentials(), machineName: "a/../b", hostname: "h"))
        #expect(badName.status == 400)
        let unknownPath = try await harness.send("GET", "/nowhere")
        #expect(unknownPath.status == 404 && harness.errorCode(unknownPath) == "not_found")
        let outside = try await harness.client.send(.init(url: harness.base.replacingOccurrences(of: "/api/v1", with: "/portal")))
        #expect(outside.status == 404)
    }
}
