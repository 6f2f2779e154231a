import Testing

@Test("the WebTests target builds") func targetBuilds() { #expect(Bool(true)) }
