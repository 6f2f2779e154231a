import Testing

@Test("the VaultPortalTests target builds") func targetBuilds() { #expect(Bool(true)) }
