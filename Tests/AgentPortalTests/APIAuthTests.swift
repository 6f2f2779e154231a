/// The API's door: the bearer token, the failure limit, unknown paths and methods.
import AgentPortal
import Foundation
import Synchronization
import Testing

@Suite("API authentication and routing")
struct APIAuthTests {
    @Test("a missing, malformed or wrong token answers 401 with the reason; the agent's token answers 200")
    func tokenRequired() async throws {
        let agent = try APITestAgent()
        for authorization in ["", "Bearer", "Basic \(agent.token)", "Bearer \(agent.token)x", "Bearer wrong", "bearer  "] {
            let answer = try await agent.call("GET", "/api/v1/status", authorization: authorization)
            #expect(answer.status == 401, "\(authorization)")
            #expect(answer.errorCode == "unauthenticated")
            #expect(answer.errorMessage.contains("api-token"))
            #expect(answer.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        }
        let good = try await agent.call("GET", "/api/v1/status", authorization: "bearer \(agent.token)")
        #expect(good.status == 200, "\(good.errorMessage)")
        #expect(good.json["protectedBytes"] as? Int == 0)
    }

    @Test("after too many failures an address gets 429 with Retry-After, even with the right token, until the window passes")
    func rateLimited() async throws {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        let agent = try APITestAgent(maxAuthFailures: 3, clock: { now.withLock { $0 } })
        for _ in 0..<3 { #expect(try await agent.call("GET", "/api/v1/status", authorization: "Bearer guess").status == 401) }
        let limited = try await agent.call("GET", "/api/v1/status")
        #expect(limited.status == 429)
        #expect(limited.errorCode == "rate_limited")
        #expect(limited.header("Retry-After") == "60")
        now.withLock { $0 += 30 }
        #expect(try await agent.call("GET", "/api/v1/status").header("Retry-After") == "30")
        now.withLock { $0 += 31 }
        #expect(try await agent.call("GET", "/api/v1/status").status == 200)
    }

    @Test("unknown paths answer 404, a known path with another method 405 with Allow, and only /api/ belongs to the API")
    func routing() async throws {
        let agent = try APITestAgent()
        for path in ["/api/v1/nothing", "/api/v2/status", "/api/v1/jobs/1/nothing", "/api/v1/", "/api"] {
            let answer = try await agent.call("GET", path)
            #expect(answer.status == 404, "\(path)")
            #expect(answer.errorCode == "not_found", "\(path)")
        }
        let wrong = try await agent.call("DELETE", "/api/v1/goal")
        #expect(wrong.status == 405)
        #expect(wrong.errorCode == "method_not_allowed")
        #expect(wrong.header("Allow") == "GET, PUT")
        #expect(AgentAPI.handles(path: "/api/v1/status") && AgentAPI.handles(path: "/api"))
        #expect(!AgentAPI.handles(path: "/apis") && !AgentAPI.handles(path: "/jobs") && !AgentAPI.handles(path: "/"))
    }

    @Test("a body over 1 MiB answers 413, malformed JSON 400 with a reason")
    func bodies() async throws {
        let agent = try APITestAgent()
        let large = try await agent.call("POST", "/api/v1/backups", json: "{\"retainUntil\": \"" + String(repeating: "x", count: 1 << 20) + "\"}")
        #expect(large.status == 413)
        #expect(large.errorCode == "too_large")
        let malformed = try await agent.call("PUT", "/api/v1/goal", json: "{\"paths\": [")
        #expect(malformed.status == 400)
        #expect(malformed.errorCode == "invalid_request")
        #expect(malformed.errorMessage.contains("not valid JSON"))
    }
}
