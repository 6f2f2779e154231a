import Testing

@Test("the VaultClientTests target builds") func targetBuilds() { #expect(Bool(true)) }
