import Foundation
import Repository
import Testing

/// ChunkerParametersTests prove that only sane chunk size bounds pass validation and decoding.
@Suite("Chunker parameters")
struct ChunkerParametersTests {
    @Test("the default and the small test parameters are valid")
    func validOnes() throws {
        try ChunkerParameters.default.validate()
        try ChunkerTestSupport.small.validate()
        #expect(ChunkerParameters.default.averageBits == 20)
    }

    @Test("broken parameters are rejected with the rule they break", arguments: [
        (ChunkerParameters(minSize: 512 << 10, averageSize: 1_000_000, maxSize: 8 << 20), ChunkerParametersError.Code.averageNotPowerOfTwo),
        (ChunkerParameters(minSize: 512 << 10, averageSize: 0, maxSize: 8 << 20), .averageNotPowerOfTwo),
        (ChunkerParameters(minSize: 2 << 20, averageSize: 1 << 20, maxSize: 8 << 20), .notOrdered),
        (ChunkerParameters(minSize: 512 << 10, averageSize: 1 << 20, maxSize: 1 << 20), .notOrdered),
        (ChunkerParameters(minSize: 16, averageSize: 1 << 10, maxSize: 1 << 12), .outOfBounds),
        (ChunkerParameters(minSize: 64, averageSize: 1 << 7, maxSize: 1 << 12), .outOfBounds),
        (ChunkerParameters(minSize: 1 << 20, averageSize: 1 << 28, maxSize: 1 << 31), .outOfBounds),
    ])
    func invalidOnes(parameters: ChunkerParameters, code: ChunkerParametersError.Code) {
        #expect {
            try parameters.validate()
        } throws: { error in
            (error as? ChunkerParametersError)?.code == code
        }
    }

    @Test("decoding round-trips valid parameters and rejects invalid ones")
    func decoding() throws {
        let encoded = try JSONEncoder().encode(ChunkerParameters.default)
        #expect(try JSONDecoder().decode(ChunkerParameters.self, from: encoded) == .default)
        let bad = Data(#"{"minSize": 4096, "averageSize": 3000, "maxSize": 65536}"#.utf8)
        #expect(throws: ChunkerParametersError.self) {
            try JSONDecoder().decode(ChunkerParameters.self, from: bad)
        }
    }
}
