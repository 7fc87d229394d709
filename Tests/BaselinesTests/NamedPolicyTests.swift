@testable import Baselines
import Corpus
import Testing
import Trajectories

@Suite struct NamedPolicyTests {
    let space = try! DomainSpace(name: "s", domains: ["source/a", "source/b", "math/x", "math/y"])

    func first(_ spec: String) throws -> [Double] {
        let policy = try NamedPolicy.make(try PolicySpec(parsing: spec), space: space, rounds: 3, environment: nil, seed: 0)(0)
        let state = PolicyState(space: space, round: 0, rounds: 3, mixtures: [], feedback: [], scores: [])
        return try policy.nextMixture(state).weights
    }

    @Test func simpleRulesGiveTheirMixtures() throws {
        #expect(try first("uniform") == [0.25, 0.25, 0.25, 0.25])
        #expect(try first("source-only") == [0.5, 0.5, 0, 0])
        #expect(try first("target-only") == [0, 0, 0.5, 0.5])
        #expect(try first("ratio:0.75") == [0.375, 0.375, 0.125, 0.125])
        #expect(try first("mixture:1/1/1/5") == [0.125, 0.125, 0.125, 0.625])
    }

    @Test func badNamesAreRejectedWithTheirReason() {
        for bad in ["ratio:1.5", "mixture:1/2", "mixture:a/b/c/d", "doremi-ish", "random"] {
            #expect(throws: PolicySpecError.self) { try NamedPolicy.make(try PolicySpec(parsing: bad), space: space, rounds: 3, environment: nil, seed: 0) }
        }
    }
}
