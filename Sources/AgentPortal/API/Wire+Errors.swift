/// The agent API's error body, `{"error": {"code", "message", "field"?}}` (docs/agent-api.md, Errors).

extension AgentAPI {
    /// What every 4xx and 5xx answer carries.
    public struct ErrorBody: Codable, Sendable, Equatable {
        public struct Detail: Codable, Sendable, Equatable {
            /// Stable, e.g. `invalid_request`.
            public var code: String
            /// For people: what happened and what to do.
            public var message: String
            /// The input at fault, when there is one.
            public var field: String?
        }

        public var error: Detail

        public init(code: String, message: String, field: String? = nil) {
            error = Detail(code: code, message: message, field: field)
        }
    }
}
