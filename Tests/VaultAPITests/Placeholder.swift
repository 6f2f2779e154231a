import Testing

@Test("the VaultAPITests target builds") func targetBuilds() { #expect(Bool(true)) }
