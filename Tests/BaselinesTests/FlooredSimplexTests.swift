@testable import Baselines
import Corpus
import Testing
import Trajectories

@Suite struct FlooredSimplexTests {
    @Test func pointsKeepTheFloorAndSumToOne() throws {
        let simplex = FlooredSimplex(dimension: 4, floor: 0.05)
        let w = simplex.point([1, 0, 0, 0])
        #expect(abs(w[0] - 0.85) < 1e-12 && w[1...].allSatisfy { abs($0 - 0.05) < 1e-12 })
        #expect(abs(w.reduce(0, +) - 1) <= 1e-12)
        // All-zero (or negative) weights map to the uniform mixture; a floor of 1/D or more leaves only it.
        #expect(simplex.point([0, 0, 0, 0]) == [0.25, 0.25, 0.25, 0.25])
        #expect(FlooredSimplex(dimension: 4, floor: 0.4).point([1, 2, 3, 4]) == [0.25, 0.25, 0.25, 0.25])
    }

    @Test func onlinePoliciesAreFreshPerRun() throws {
        let make = try NamedPolicy.make(try PolicySpec(parsing: "bandit"), space: Fixture.space, rounds: 5, inputs: Fixture.inputs())
        let a = try make(0), b = try make(1)
        #expect(a !== b)
        #expect((a as! BanditPolicy).seed != (b as! BanditPolicy).seed)
    }

    @Test func regmixAveragesStepMixturesWithoutTokenCounts() throws {
        var t = Fixture.trajectories[0]
        for k in t.steps.indices { t.steps[k].tokensPerDomain = [] }
        let mean = (0..<4).map { d in t.steps.reduce(0) { $0 + $1.mixture[d] } / Double(t.steps.count) }
        #expect(zip(RegMix.averageMixture(t), mean).allSatisfy { abs($0 - $1) < 1e-12 })
    }
}
