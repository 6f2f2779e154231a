import Testing

@Test("the VaultTests target builds") func targetBuilds() { #expect(Bool(true)) }
