import Testing

@Test("the AgentPortalTests target builds") func targetBuilds() { #expect(Bool(true)) }
